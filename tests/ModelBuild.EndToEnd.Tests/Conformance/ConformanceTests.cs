using System.Diagnostics;
using System.Reflection;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using ModelBuild.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ModelBuild.EndToEnd.Tests.Conformance;

/// <summary>
/// The ONNX backend tests (Debian's libonnx-testdata) built through the SDK into typed wrappers and run through them
/// and through ONNX Runtime's C# API directly: the typed path must pass every case the direct path passes. Writes
/// artifacts/conformance/report.md (counts by suite, every failure with its reason) and prints the node-test line.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class ConformanceTests(PackageFeed feed, ITestOutputHelper output)
{
    private const string DataRoot = "/usr/share/libonnx-testdata/data";
    private const int ChunkSize = 200;
    private static readonly string[] Suites = ["node", "simple", "pytorch-converted", "pytorch-operator"];

    [Fact]
    public void BackendTests_TypedWrappersPassEveryCaseTheDirectCallPasses()
    {
        if (!Directory.Exists(DataRoot))
        {
            output.WriteLine($"skipped: {DataRoot} is absent (install the Debian package libonnx-testdata; ./build.sh test does on Linux)");
            return;
        }

        var clock = Stopwatch.StartNew();
        List<BackendCase> cases = BackendCase.Find(DataRoot, Suites).ToList();
        var notBuilt = new Dictionary<string, string>(StringComparer.Ordinal);
        var runners = new Dictionary<string, TypedRunner>(StringComparer.Ordinal);
        // Several projects of ChunkSize models: each build stays well inside the 8-minute limit of one dotnet command.
        foreach (var (chunk, number) in cases.Chunk(ChunkSize).Select((c, i) => (c, i + 1)))
        {
            string project = feed.CopyTestAsset("Conformance");
            string assembly = $"Conformance{number}";
            BuildWrappers(project, assembly, chunk, notBuilt);
            string bin = Path.Combine(project, "bin", "Release", "net10.0");
            var runner = new TypedRunner(Assembly.LoadFrom(Path.Combine(bin, assembly + ".dll")), bin);
            foreach (var c in chunk)
            {
                runners[c.ClassName] = runner;
            }
        }

        TimeSpan buildTime = clock.Elapsed;
        var results = cases.Select(c => Evaluate(c, runners[c.ClassName], notBuilt)).ToList();

        string report = Report(results, clock.Elapsed, buildTime);
        string reportPath = Path.Combine(Repository.Root, "artifacts", "conformance", "report.md");
        Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
        File.WriteAllText(reportPath, report);

        var node = results.Where(r => r.Case.Suite == "node").ToList();
        string line = $"conformance: typed {node.Count(r => r.Typed is null)}/{node.Count} passed, direct {node.Count(r => r.Direct is null)}/{node.Count} passed";
        output.WriteLine(line);
        output.WriteLine($"full report: {reportPath} ({clock.Elapsed.TotalSeconds:F0} s, build {buildTime.TotalSeconds:F0} s)");
        // Also on the test host's stdout, so ./build.sh test shows it without a verbose logger.
        Console.WriteLine(line);

        var regressions = results.Where(r => r.Direct is null && r.Typed is not null).ToList();
        Assert.True(regressions.Count == 0,
            $"{line}\nthe typed path fails {regressions.Count} case(s) the direct path passes:\n"
            + string.Join("\n", regressions.Select(r => $"{r.Case.Suite}/{r.Case.Name}: {r.Typed}")));
    }

    private sealed record CaseResult(BackendCase Case, string? Direct, string? Typed);

    private static CaseResult Evaluate(BackendCase backendCase, TypedRunner typed, Dictionary<string, string> notBuilt)
    {
        string? direct = null;
        string? typedFailure = notBuilt.GetValueOrDefault(backendCase.ClassName);
        try
        {
            foreach (var (set, inputs, expected) in backendCase.DataSets())
            {
                if (expected.Any(e => e is null))
                {
                    const string crash = "an output is an empty optional: ONNX Runtime 1.31's C# Run crashes the process on one";
                    return new CaseResult(backendCase, crash, crash);
                }

                direct ??= Check(set, expected, () => DirectRunner.Run(backendCase, inputs));
                typedFailure ??= Check(set, expected, () => typed.Run(backendCase, inputs));
            }
        }
        catch (UnsupportedCaseException ex)
        {
            string reason = "test data: " + ex.Message;
            return new CaseResult(backendCase, direct ?? reason, typedFailure ?? reason);
        }

        return new CaseResult(backendCase, direct, typedFailure);
    }

    private static string? Check(string set, object?[] expected, Func<object?[]> run)
    {
        object?[] actual;
        try
        {
            actual = run();
        }
        catch (Exception ex)
        {
            return $"{set}: {ex.GetType().Name}: {FirstLine(ex.Message)}";
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (Comparison.Difference(expected[i], i < actual.Length ? actual[i] : null) is string difference)
            {
                return $"{set}: output {i}: {difference}";
            }
        }

        return null;
    }

    private static string FirstLine(string text)
    {
        string line = text.Split('\n')[0].Trim();
        return line.Length > 200 ? line[..200] + "…" : line;
    }

    /// <summary>
    /// Writes models.props and builds; a model the SDK rejects (an MB error naming its signature or model file) is
    /// left out and the build repeated, so one unsupported model cannot hide the others' results.
    /// </summary>
    private void BuildWrappers(string project, string assembly, BackendCase[] cases, Dictionary<string, string> notBuilt)
    {
        // The compile cache lives outside the per-run workspace: a rerun recompiles nothing.
        string cache = Path.Combine(Repository.Root, "artifacts", "conformance", "compile-cache");
        for (int attempt = 0; attempt < 4; attempt++)
        {
            var items = new StringBuilder("<Project>\n  <ItemGroup>\n");
            foreach (var c in cases.Where(c => !notBuilt.ContainsKey(c.ClassName)))
            {
                items.Append($"    <Model Include=\"{SecurityElement.Escape(c.ModelPath)}\" ClassName=\"{c.ClassName}\" Verify=\"off\" Optimize=\"none\" />\n");
            }

            File.WriteAllText(Path.Combine(project, "models.props"), items.Append("  </ItemGroup>\n</Project>\n").ToString());
            var result = feed.Build(project, "-v:m", "-clp:ErrorsOnly", $"-p:AssemblyName={assembly}", $"-p:ModelBuildCacheDirectory={cache}");
            if (result.ExitCode == 0)
            {
                return;
            }

            int before = notBuilt.Count;
            foreach (Match error in BuildError().Matches(result.Output))
            {
                string text = error.Value;
                var culprit = cases.FirstOrDefault(c => text.Contains(c.ClassName, StringComparison.Ordinal) || text.Contains(c.Directory + "/", StringComparison.Ordinal));
                if (culprit is not null && !notBuilt.ContainsKey(culprit.ClassName))
                {
                    notBuilt[culprit.ClassName] = "not built: " + FirstLine(text[(text.IndexOf("error ", StringComparison.Ordinal))..]);
                }
            }

            Assert.True(notBuilt.Count > before, $"the conformance build failed without naming a model:\n{result.Output}");
        }

        throw new InvalidOperationException("the conformance build still fails after leaving out the models it named");
    }

    [GeneratedRegex(@"^.*error (MB|CS)\d+:.*$", RegexOptions.Multiline)]
    private static partial Regex BuildError();

    private static string Report(List<CaseResult> results, TimeSpan total, TimeSpan build)
    {
        var sb = new StringBuilder("# Conformance run\n\n| suite | cases | typed passed | direct passed |\n|---|---|---|---|\n");
        foreach (var suite in results.GroupBy(r => r.Case.Suite))
        {
            sb.Append($"| {suite.Key} | {suite.Count()} | {suite.Count(r => r.Typed is null)} | {suite.Count(r => r.Direct is null)} |\n");
        }

        sb.Append($"| all | {results.Count} | {results.Count(r => r.Typed is null)} | {results.Count(r => r.Direct is null)} |\n\n");
        sb.Append($"Time: {total.TotalSeconds:F0} s in all, of which the SDK build {build.TotalSeconds:F0} s.\n\n## Failures\n\n| case | typed | direct |\n|---|---|---|\n");
        foreach (var r in results.Where(r => r.Typed is not null || r.Direct is not null))
        {
            sb.Append($"| {r.Case.Suite}/{r.Case.Name} | {Cell(r.Typed)} | {Cell(r.Direct)} |\n");
        }

        return sb.ToString();
    }

    private static string Cell(string? text) => text is null ? "pass" : text.Replace("|", "\\|", StringComparison.Ordinal);
}
