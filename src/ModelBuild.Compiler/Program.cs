using System.Reflection;
using System.Text.Json;
using ModelBuild.Compiler.Caching;
using ModelBuild.Compiler.Cli;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Shared;

namespace ModelBuild.Compiler;

/// <summary>
/// <c>modelbuild</c>: compiles ONNX models into build assets plus a signature file for the source generator.
/// Exit codes: 0 success, 1 a model failed (errors printed with MB codes), 2 wrong command line.
/// </summary>
internal static class Program
{
    /// <summary>The compile switches come from the option schema, so the command line takes what MSBuild takes.</summary>
    private static readonly string Usage = $"""
        Usage:
          modelbuild compile <model.onnx> [--out <dir>] [--class-name <Name>] [--namespace <Ns>] [--access public|internal]
                     {string.Join(" ", CompileOptions.All.Select(o => $"[{o.Switch} {o.Accepted}]"))}
                     {string.Join(" ", PerTargetSwitches.Select(s => $"[{s.Switch}]"))} [--cache <dir> | --cache off]
          modelbuild compile --manifest <jobs.json>      (used by the ModelBuild MSBuild targets)
          modelbuild inspect <model.onnx>               print the model's signature (inputs, outputs, metadata) as JSON
          modelbuild pack-models --manifest <job.json>  one model package per RID (used by `dotnet pack`, ModelPackageLayout=PerRid)
          modelbuild --version
        """;

    public static int Main(string[] args)
    {
        try
        {
            return args switch
            {
                ["compile", .. var rest] => Compile(rest),
                ["inspect", .. var rest] => Inspect(rest),
                ["pack-models", .. var rest] => PackModels(rest),
                ["--version"] => PrintVersion(),
                ["--help"] or ["-h"] or [] => PrintUsage(Console.Out, 0),
                _ => throw new UsageException($"Unknown command '{args[0]}'."),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            return PrintUsage(Console.Error, 2);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            // A job list MSBuild wrote is reported in the protocol, so the build shows this code rather than MB4010.
            string? manifest = args.SkipWhile(a => a != "--manifest").Skip(1).FirstOrDefault();
            if (manifest is null)
            {
                new Reporter(Console.Error, forMsBuild: false).Error("MB4050", null, $"Could not read or write a file: {e.Message}");
            }
            else
            {
                new Reporter(Console.Out, forMsBuild: true).Error("MB4051", manifest, $"The job list could not be read: {e.Message}");
            }
            return 1;
        }
    }

    /// <summary>Per-target overrides of the schema (<c>--cuda-quantize</c> for <c>CudaQuantize</c>), with their target.</summary>
    private static IEnumerable<(string Switch, string Target)> PerTargetSwitches =>
        from option in CompileOptions.All.Where(o => o.PerTarget)
        from target in BuildTargets.All
        select ($"--{target.Name}{option.Switch[1..]}", target.Name);

    private static int Compile(string[] args)
    {
        var arguments = new Arguments(args,
        [
            "--manifest", "--out", "--class-name", "--namespace", "--access", "--cache",
            .. CompileOptions.All.Select(o => o.Switch), .. PerTargetSwitches.Select(s => s.Switch),
        ]);
        if (arguments["--manifest"] is { } manifestPath)
        {
            CompileManifest manifest = CompileManifest.Read(manifestPath);
            var msbuildReporter = new Reporter(Console.Out, forMsBuild: true);
            msbuildReporter.Info($"ModelBuild: compiling {manifest.Jobs.Count} model(s){(manifest.SignatureOnly ? " (signatures only)" : "")}");
            return RunJobs(manifest.Jobs, msbuildReporter, manifest.SignatureOnly, CacheDirectory(manifest.CacheDirectory));
        }
        if (arguments.Positional.Count != 1)
        {
            throw new UsageException("compile takes exactly one model file.");
        }
        string model = Path.GetFullPath(arguments.Positional[0]);
        string className = arguments["--class-name"] ?? ModelNaming.DefaultClassName(model);
        string ns = arguments["--namespace"] ?? "Models";
        if (ModelNaming.CheckClassName(className) is { } classProblem)
        {
            throw new UsageException($"--class-name '{className}' cannot name the generated class: {classProblem}.");
        }
        if (ModelNaming.CheckNamespace(ns) is { } nsProblem)
        {
            throw new UsageException($"--namespace '{ns}' is not a valid C# namespace: {nsProblem}.");
        }
        string output = Path.GetFullPath(arguments["--out"] ?? Path.Combine(Path.GetDirectoryName(model)!, "modelbuild"));
        var fields = new Dictionary<string, string?>
        {
            [nameof(CompileJob.Model)] = model,
            [nameof(CompileJob.ClassName)] = className,
            [nameof(CompileJob.Namespace)] = ns,
            [nameof(CompileJob.Access)] = arguments["--access"] ?? "public",
            [nameof(CompileJob.OutputDirectory)] = Path.Combine(output, className),
            [nameof(CompileJob.SignatureFile)] = Path.Combine(output, className + ".modelsig.json"),
            [nameof(CompileJob.AssetListFile)] = Path.Combine(output, className + ".assets.txt"),
            [nameof(CompileJob.AssetPathPrefix)] = $"models/{className}/",
            [nameof(CompileJob.ReportFile)] = Path.Combine(output, className + ".report.json"),
            [CompileOptions.TargetOverridesField] = string.Join(";", PerTargetSwitches.Where(s => arguments[s.Switch] is not null).Select(s => $"{s.Target}={arguments[s.Switch]}")),
        };
        foreach (CompileOption option in CompileOptions.All)
        {
            string? value = arguments[option.Switch];
            fields[option.Name] = option.Kind == OptionKind.Folder && value is not null ? Path.GetFullPath(value) : value;
        }
        // The same record the MSBuild manifest deserializes into: every schema option lands in its field by name.
        CompileJob job = JsonSerializer.Deserialize<CompileJob>(JsonSerializer.Serialize(fields))!;
        string? cache = arguments["--cache"] is "off" ? null : CacheDirectory(arguments["--cache"]);
        return RunJobs([job], new Reporter(Console.Out, forMsBuild: false), signatureOnly: false, cache);
    }

    /// <summary>The compile cache to use: the one given, else the default under the user profile.</summary>
    private static string CacheDirectory(string? given) =>
        string.IsNullOrWhiteSpace(given) ? CompileCache.DefaultDirectory : Path.GetFullPath(given);

    private static int RunJobs(IReadOnlyList<CompileJob> jobs, Reporter reporter, bool signatureOnly, string? cacheDirectory)
    {
        var pipeline = new ModelPipeline(reporter, signatureOnly, cacheDirectory);
        int failed = jobs.Count(job => !pipeline.Run(job));
        return failed == 0 ? 0 : 1;
    }

    private static int Inspect(string[] args)
    {
        var arguments = new Arguments(args, []);
        if (arguments.Positional.Count != 1)
        {
            throw new UsageException("inspect takes exactly one model file.");
        }
        string model = Path.GetFullPath(arguments.Positional[0]);
        string className = ModelNaming.DefaultClassName(model);
        string temp = Directory.CreateTempSubdirectory("modelbuild-inspect-").FullName;
        try
        {
            var job = new CompileJob(model, className, "Models", "public", Path.Combine(temp, className),
                Path.Combine(temp, "signature.json"), Path.Combine(temp, "assets.txt"), $"models/{className}/");
            var reporter = new Reporter(Console.Error, forMsBuild: false);
            if (!new ModelPipeline(reporter, signatureOnly: true, cacheDirectory: null).Run(job))
            {
                return 1;
            }
            Console.Out.Write(File.ReadAllText(job.SignatureFile));
            return 0;
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static int PackModels(string[] args)
    {
        var arguments = new Arguments(args, ["--manifest"]);
        return Packaging.RidModelPackages.Run(arguments["--manifest"] ?? throw new UsageException("pack-models needs --manifest."), new Reporter(Console.Out, forMsBuild: true));
    }

    private static int PrintVersion()
    {
        Console.WriteLine(typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
        return 0;
    }

    private static int PrintUsage(TextWriter writer, int exitCode)
    {
        writer.WriteLine(Usage);
        return exitCode;
    }
}
