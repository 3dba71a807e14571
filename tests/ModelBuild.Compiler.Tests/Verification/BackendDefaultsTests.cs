using System.Diagnostics;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Verification;

/// <summary>
/// Every ONNX backend test model (Debian's libonnx-testdata) that ONNX Runtime runs, compiled in-process with
/// default metadata (Optimize extended, Verify error, no Quantize), as a new user's <c>&lt;Model Include&gt;</c>
/// would be: each must build. Prints <c>defaults: built N/M models ONNX Runtime runs, verified K, unverified
/// (warning) U</c> (./build.sh test shows it) and writes artifacts/defaults/report.md with every failure and
/// every unverified model.
/// </summary>
public sealed class BackendDefaultsTests(ITestOutputHelper output)
{
    private const string DataRoot = "/usr/share/libonnx-testdata/data";
    private static readonly string[] Suites = ["node", "simple", "pytorch-converted", "pytorch-operator"];

    /// <summary>Warning codes that mean "built, but not compared with the original".</summary>
    private static readonly HashSet<string> UnverifiedCodes = new(StringComparer.Ordinal) { "MB5012", ToolErrorCodes.Unverifiable };

    [Fact]
    public void Every_backend_model_ONNX_Runtime_runs_builds_with_default_metadata()
    {
        if (!Directory.Exists(DataRoot))
        {
            output.WriteLine($"skipped: {DataRoot} is absent (install the Debian package libonnx-testdata; ./build.sh test does on Linux)");
            return;
        }
        // MODELBUILD_DEFAULTS_FILTER=substring narrows the survey while working on one operator.
        string? filter = Environment.GetEnvironmentVariable("MODELBUILD_DEFAULTS_FILTER");
        var clock = Stopwatch.StartNew();
        var results = new List<(string Case, string Outcome, string Detail)>();
        var unloadable = new List<string>();
        using var temp = new TempFolder();
        foreach (string suite in Suites)
        {
            foreach (string folder in Directory.EnumerateDirectories(Path.Combine(DataRoot, suite)).Order(StringComparer.Ordinal))
            {
                string name = $"{suite}/{Path.GetFileName(folder)}";
                if (filter is not null && !name.Contains(filter, StringComparison.Ordinal)) continue;
                string model = Path.Combine(folder, "model.onnx");
                if (!File.Exists(model)) continue;
                if (OrtRefuses(model, folder) is { } reason)
                {
                    // A model ONNX Runtime cannot load (no kernel) must still fail cleanly, with MB5501.
                    var (_, outcome, detail) = Build(name, model, temp.Path);
                    results.Add((name, "not run by ONNX Runtime", $"{reason} Build: {outcome} {detail}"));
                    if (reason.Contains("could not load", StringComparison.Ordinal) && outcome != "failed MB5501")
                    {
                        unloadable.Add($"{name}: {outcome} {detail}");
                    }
                    continue;
                }
                results.Add(Build(name, model, temp.Path));
            }
        }

        var runs = results.Where(r => r.Outcome != "not run by ONNX Runtime").ToList();
        int built = runs.Count(r => r.Outcome is "verified" or "unverified");
        string line = $"defaults: built {built}/{runs.Count} models ONNX Runtime runs, verified {runs.Count(r => r.Outcome == "verified")}, "
            + $"unverified (warning) {runs.Count(r => r.Outcome == "unverified")}";
        string report = string.Join("\n", [
            "# Backend models with default metadata", "", line, $"({clock.Elapsed.TotalSeconds:F0} s)", "",
            "| case | outcome | detail |", "|---|---|---|",
            .. results.Where(r => r.Outcome != "verified").Select(r => $"| {r.Case} | {r.Outcome} | {r.Detail.Replace("|", "\\|").Replace("\n", " ")} |"),
        ]);
        string reportPath = Path.Combine(RepositoryRoot(), "artifacts", "defaults", "report.md");
        Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
        File.WriteAllText(reportPath, report + "\n");
        output.WriteLine(line);
        output.WriteLine($"report: {reportPath} ({clock.Elapsed.TotalSeconds:F0} s)");
        Console.WriteLine(line);

        var failed = runs.Where(r => r.Outcome.StartsWith("failed", StringComparison.Ordinal)).ToList();
        Assert.True(failed.Count == 0, $"{line}\n" + string.Join("\n", failed.Select(f => $"{f.Case}: {f.Outcome}: {f.Detail}")));
        Assert.True(unloadable.Count == 0, "models ONNX Runtime cannot load must fail with MB5501:\n" + string.Join("\n", unloadable));
    }

    private static (string, string, string) Build(string name, string model, string root)
    {
        string className = "M" + Guid.NewGuid().ToString("N")[..12];
        var (ok, lines) = Jobs.Run(Jobs.For(model, root, className));
        var parsed = lines.Where(l => l.StartsWith("##modelbuild|", StringComparison.Ordinal)).Select(Jobs.Parse).ToList();
        foreach (string path in Directory.EnumerateFileSystemEntries(root))
        {
            if (File.Exists(path)) File.Delete(path); else Directory.Delete(path, recursive: true);
        }
        if (!ok)
        {
            var error = parsed.FirstOrDefault(p => p.Kind == "error");
            return (name, $"failed {error.Code}", error.Text ?? string.Join(" ", lines));
        }
        var unverified = parsed.FirstOrDefault(p => p.Kind == "warning" && UnverifiedCodes.Contains(p.Code));
        return unverified.Code is null ? (name, "verified", "") : (name, "unverified", $"{unverified.Code}: {unverified.Text}");
    }

    /// <summary>Why ONNX Runtime cannot run the model on its own first data set, or null when it can.</summary>
    private static string? OrtRefuses(string model, string folder)
    {
        string data = Path.Combine(folder, "test_data_set_0");
        try
        {
            ModelProto proto = OnnxModelReader.ReadFile(model);
            if (!Directory.Exists(data)) return "no test data";
            IReadOnlyList<SampleSet> samples = [new SampleSet([])];
            if (SampleInputGenerator.FeedableInputs(proto.Graph).Any())
            {
                try
                {
                    samples = SampleInputLoader.Load(data, proto);
                }
                catch (ModelToolException e) when (e.Code is ToolErrorCodes.InputTypeUnsupported or ToolErrorCodes.SampleInvalid)
                {
                    // Sequence/optional inputs, or ONNX 1.12's data quirks (bfloat16 stored as uint16, a `like` input
                    // stored with the wrong shape): loading the model is all this harness can check.
                    using var session = new VerificationSession(model, ModelBuild.Compiler.Budgets.VerificationBudget.Default);
                    return null;
                }
            }
            using var verifier = new ModelVerifier(model, samples, latencyRuns: 1);
            return null;
        }
        catch (ModelToolException e) when (e.Code == ToolErrorCodes.Unverifiable)
        {
            return null; // ran, but has no output that can be compared
        }
        catch (Exception e) when (e is ModelToolException or ModelBuildException)
        {
            return e.Message;
        }
    }

    private static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "build.sh"))) dir = Path.GetDirectoryName(dir);
        return dir ?? Directory.GetCurrentDirectory();
    }
}
