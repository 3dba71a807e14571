using System.Reflection;
using System.Text.Json;
using ModelBuild.Compiler.Caching;
using ModelBuild.Compiler.Cli;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Pipeline;

namespace ModelBuild.Compiler;

/// <summary>
/// <c>modelbuild</c>: compiles ONNX models into build assets plus a signature file for the source generator.
/// Exit codes: 0 success, 1 a model failed (errors printed with MB codes), 2 wrong command line.
/// </summary>
internal static class Program
{
    private const string Usage = """
        Usage:
          modelbuild compile <model.onnx> [--out <dir>] [--class-name <Name>] [--namespace <Ns>] [--access public|internal]
                     [--quantize none|int8|fp16|int4] [--targets cpu;x64;arm64;cuda;mobile] [--optimize extended|basic|none]
                     [--verify error|warn|off] [--min-cosine <x>] [--max-abs-error <x>] [--verify-samples <n>]
                     [--sample-inputs <dir>] [--sample-shapes <input=d,d;...>] [--fallback cpu|none] [--cache <dir> | --cache off]
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
            Console.Error.WriteLine($"error MB1091: {e.Message}");
            return 1;
        }
    }

    private static int Compile(string[] args)
    {
        var arguments = new Arguments(args,
        [
            "--manifest", "--out", "--class-name", "--namespace", "--access", "--quantize", "--targets", "--optimize", "--verify",
            "--min-cosine", "--max-abs-error", "--verify-samples", "--sample-inputs", "--sample-shapes", "--fallback", "--cache",
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
        string className = arguments["--class-name"] ?? ModelBuild.Tasks.ModelNaming.DefaultClassName(model);
        string output = Path.GetFullPath(arguments["--out"] ?? Path.Combine(Path.GetDirectoryName(model)!, "modelbuild"));
        var job = new CompileJob(model, className, arguments["--namespace"] ?? "Models", arguments["--access"] ?? "public",
            Path.Combine(output, className), Path.Combine(output, className + ".modelsig.json"),
            Path.Combine(output, className + ".assets.txt"), $"models/{className}/",
            ReportFile: Path.Combine(output, className + ".report.json"),
            Quantize: arguments["--quantize"], Targets: arguments["--targets"], Optimize: arguments["--optimize"],
            Verify: arguments["--verify"], MinCosine: arguments["--min-cosine"], MaxAbsError: arguments["--max-abs-error"],
            VerifySamples: arguments["--verify-samples"],
            SampleInputs: arguments["--sample-inputs"] is { } samples ? Path.GetFullPath(samples) : null,
            Fallback: arguments["--fallback"], SampleShapes: arguments["--sample-shapes"]);
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
        string className = ModelBuild.Tasks.ModelNaming.DefaultClassName(model);
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
        return Packaging.RidModelPackages.Run(arguments["--manifest"] ?? throw new UsageException("pack-models needs --manifest."), Console.Error);
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
