using System.Diagnostics;
using System.Text.Json;
using ModelZoo;

namespace ModelBuild.Compiler.Tests;

/// <summary>The built <c>modelbuild.dll</c>, run as a real process.</summary>
public sealed class CommandLineTests
{
    private sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string All => StdOut + StdErr;
    }

    private static string CompilerPath
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "modelbuild.dll");
            Assert.True(File.Exists(path), $"{path} not found");
            Assert.True(File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")), "modelbuild.runtimeconfig.json must sit beside modelbuild.dll");
            return path;
        }
    }

    private static Result Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CompilerPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"modelbuild {string.Join(' ', args)} did not finish in 60 s");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Compile_writes_assets_signature_and_asset_list()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);
        string output = temp.File("out");

        Result result = Run(temp.Path, "compile", "iris-classifier.onnx", "--out", output, "--namespace", "Cli.Models", "--access", "internal", "--cache", "off");

        Assert.True(result.ExitCode == 0, result.All);
        Assert.True(File.Exists(Path.Combine(output, "IrisClassifier", "cpu", "iris-classifier.onnx")));
        Assert.Equal("cpu/iris-classifier.onnx\n", File.ReadAllText(Path.Combine(output, "IrisClassifier.assets.txt")));
        Assert.True(File.Exists(Path.Combine(output, "IrisClassifier.report.json")));
        JsonElement signature = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "IrisClassifier.modelsig.json"))).RootElement;
        Assert.Equal("IrisClassifier", signature.GetProperty("className").GetString());
        Assert.Equal("Cli.Models", signature.GetProperty("namespace").GetString());
        Assert.Equal("internal", signature.GetProperty("access").GetString());
        Assert.Equal("models/IrisClassifier/cpu/iris-classifier.onnx", signature.GetProperty("assetPath").GetString());
        Assert.Contains("iris-classifier.onnx -> cpu none: ", result.StdOut);
        Assert.DoesNotContain("##modelbuild", result.All);
    }

    [Fact]
    public void Compile_class_name_option_names_the_outputs()
    {
        using var temp = new TempFolder();
        Zoo.Write("dynamic-dims.onnx", temp.Path);

        Result result = Run(temp.Path, "compile", temp.File("dynamic-dims.onnx"), "--class-name", "Dyn", "--out", temp.File("o"), "--cache", temp.File("cache"));

        Assert.True(result.ExitCode == 0, result.All);
        Assert.True(File.Exists(Path.Combine(temp.File("o"), "Dyn", "cpu", "dynamic-dims.onnx")));
        Assert.NotEmpty(Directory.EnumerateFiles(temp.File("cache"), "report.json", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(temp.File("o"), "Dyn.modelsig.json")));
    }

    [Fact]
    public void Bad_model_exits_1_with_one_coded_error_and_no_stack_trace()
    {
        using var temp = new TempFolder();
        Zoo.Write("random.onnx", temp.Path);

        Result result = Run(temp.Path, "compile", "random.onnx", "--out", temp.File("out"));

        Assert.True(result.ExitCode == 1, result.All);
        string error = Assert.Single(result.All.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("error ", StringComparison.Ordinal));
        Assert.StartsWith($"error MB1003: {temp.File("random.onnx")}: ", error);
        Assert.DoesNotContain("   at ", result.All);
        Assert.DoesNotContain("Exception", result.All);
        Assert.False(Directory.Exists(temp.File("out")) && Directory.EnumerateFileSystemEntries(temp.File("out")).Any(), "a failed model leaves no output");
    }

    [Fact]
    public void Missing_model_file_exits_1_with_MB1001()
    {
        using var temp = new TempFolder();

        Result result = Run(temp.Path, "compile", "nowhere.onnx", "--out", temp.File("out"));

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Contains("error MB1001:", result.All);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Theory]
    [InlineData("compile")]
    [InlineData("pack-models")]
    public void An_unreadable_job_list_is_MB4051_in_the_protocol_MSBuild_parses(string command)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("job.json"), "{ not json");

        Result result = Run(temp.Path, command, "--manifest", temp.File("job.json"));

        Assert.True(result.ExitCode == 1, result.All);
        Assert.StartsWith($"##modelbuild|error|MB4051|{Uri.EscapeDataString(temp.File("job.json"))}|", result.StdOut);
    }

    [Theory]
    [InlineData("--verify-samples", "0", "error MB4012: ", "VerifySamples '0' is not a whole number between 1 and 1000.")]
    [InlineData("--fallback", "gpu", "error MB4020: ", "Fallback 'gpu' is not supported. Use one of: cpu, none.")]
    [InlineData("--cuda-quantize", "int3", "error MB4006: ", "CudaQuantize 'int3' is not supported.")]
    public void Options_are_checked_by_the_schema_MSBuild_uses(string option, string value, string code, string message)
    {
        using var temp = new TempFolder();

        Result result = Run(temp.Path, "compile", "net.onnx", "--out", temp.File("out"), "--targets", "cpu;cuda", option, value);

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Contains(code, result.All);
        Assert.Contains(message, result.All);
    }

    [Theory]
    [InlineData("--class-name 'Session' cannot name the generated class", "compile", "x.onnx", "--class-name", "Session")]
    [InlineData("--namespace 'App.global' is not a valid C# namespace", "compile", "x.onnx", "--namespace", "App.global")]
    [InlineData("Unknown command 'frobnicate'.", "frobnicate")]
    [InlineData("Unknown option '--bogus'.", "compile", "x.onnx", "--bogus", "1")]
    [InlineData("Option '--out' needs a value.", "compile", "x.onnx", "--out")]
    [InlineData("compile takes exactly one model file.", "compile")]
    [InlineData("inspect takes exactly one model file.", "inspect", "a.onnx", "b.onnx")]
    public void Wrong_command_line_exits_2_with_usage(string message, params string[] args)
    {
        using var temp = new TempFolder();

        Result result = Run(temp.Path, args);

        Assert.True(result.ExitCode == 2, result.All);
        Assert.StartsWith(message, result.StdErr);
        Assert.Contains("Usage:", result.StdErr);
        Assert.Contains("modelbuild compile <model.onnx>", result.StdErr);
        Assert.Equal("", result.StdOut);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public void Help_prints_usage_and_exits_0()
    {
        using var temp = new TempFolder();
        Result result = Run(temp.Path, "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.StdOut);
    }

    [Fact]
    public void Inspect_prints_the_signature_as_json_and_leaves_no_files()
    {
        using var temp = new TempFolder();
        Zoo.Write("external-data.onnx", temp.Path);
        string[] before = [.. temp.Entries().Order(StringComparer.Ordinal)];

        Result result = Run(temp.Path, "inspect", "external-data.onnx");

        Assert.True(result.ExitCode == 0, result.All);
        JsonElement signature = JsonDocument.Parse(result.StdOut).RootElement;
        Assert.Equal("ExternalData", signature.GetProperty("className").GetString());
        Assert.Equal(["x"], signature.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(["y"], signature.GetProperty("outputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(before, temp.Entries().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Inspect_of_a_bad_model_exits_1_with_its_code()
    {
        using var temp = new TempFolder();
        Zoo.Write("not-a-model.onnx", temp.Path);

        Result result = Run(temp.Path, "inspect", "not-a-model.onnx");

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Equal("", result.StdOut);
        Assert.StartsWith("error MB1004: ", result.StdErr);
        Assert.DoesNotContain("   at ", result.All);
    }

    [Fact]
    public void Version_prints_the_package_version()
    {
        using var temp = new TempFolder();

        Result result = Run(temp.Path, "--version");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+\S*\n$", result.StdOut.Replace("\r\n", "\n"));
        Assert.StartsWith("0.1.0", result.StdOut);
    }

    [Fact]
    public void Manifest_mode_speaks_the_protocol_and_compiles_every_job()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);
        Zoo.Write("truncated.onnx", temp.Path);
        var jobs = new[]
        {
            Jobs.For(temp.File("truncated.onnx"), temp.File("obj"), "Broken"),
            Jobs.For(temp.File("iris-classifier.onnx"), temp.File("obj"), "Iris"),
        };
        File.WriteAllText(temp.File("jobs.json"), JsonSerializer.Serialize(new { signatureOnly = false, jobs, cacheDirectory = temp.File("cache") }));

        Result result = Run(temp.Path, "compile", "--manifest", temp.File("jobs.json"));

        Assert.True(result.ExitCode == 1, result.All);
        string[] lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("##modelbuild|", l));
        var error = Jobs.SingleError(lines);
        Assert.Equal("MB1003", error.Code);
        Assert.Equal(temp.File("truncated.onnx"), error.File);
        Assert.True(File.Exists(jobs[1].AssetListFile), "the good model after the broken one still compiles");
        Assert.False(File.Exists(jobs[0].SignatureFile));
    }
}
