using System.Text.Json;
using System.Text.Json.Nodes;
using ModelBuild.Compiler.Pipeline;
using ModelZoo;

namespace ModelBuild.Compiler.Tests.Variants;

/// <summary>
/// The whole pipeline with Quantize/Targets on real models and real ONNX Runtime: variants, report, verification
/// outcomes, determinism and the compile cache.
/// </summary>
public sealed class CompilationPassesTests
{
    private const string Transformer = "transformer-encoder-small.onnx";

    private static CompileJob Job(TempFolder temp, string output = "out") =>
        Jobs.For(temp.File(Transformer), temp.File(output), "Encoder");

    private static TempFolder WithModel()
    {
        var temp = new TempFolder();
        Zoo.Write(Transformer, temp.Path);
        return temp;
    }

    private static JsonNode Report(CompileJob job) => JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!;

    private static IEnumerable<(string Kind, string Code, string File, string Text)> Messages(string[] lines) => lines.Select(Jobs.Parse);

    [Fact]
    public void Int8_for_three_targets_writes_verified_variants_a_report_and_one_line_each()
    {
        using TempFolder temp = WithModel();
        CompileJob job = Job(temp) with { Quantize = "int8", Targets = "cpu;arm64;mobile" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Equal(
            ["cpu/transformer-encoder-small.onnx", "arm64/transformer-encoder-small.onnx", "mobile/transformer-encoder-small.ort",
             "mobile/transformer-encoder-small.required_operators.config"],
            File.ReadAllLines(job.AssetListFile));
        string[] info = Messages(lines).Where(m => m.Kind == "info").Select(m => m.Text).ToArray();
        Assert.Matches(@"^transformer-encoder-small\.onnx -> cpu int8: 529\.9 KB -> \d+\.\d KB \(0\.\d\dx\), cosine (0\.99\d{3}|1\.00000), \d+\.\d ms vs \d+\.\d ms \(\d\.\d\dx\)$", info[0]);
        Assert.StartsWith("transformer-encoder-small.onnx -> arm64 int8: ", info[1]);
        Assert.StartsWith("transformer-encoder-small.onnx -> mobile int8: ", info[2]);

        JsonNode report = Report(job);
        Assert.Equal("modelbuild-report/1", (string?)report["schema"]);
        JsonArray variants = report["variants"]!.AsArray();
        Assert.Equal(3, variants.Count);
        foreach (JsonNode? entry in variants)
        {
            JsonNode variant = entry!["variant"]!;
            Assert.Equal(13, (int)variant["quantizedNodes"]!);   // 2 layers x (Q, K, V, output, FFN in, FFN out) + word embeddings
            Assert.True((double)variant["sizeRatio"]! < 0.75);
            JsonNode metrics = variant["verification"]!["outputs"]![0]!;
            Assert.Equal("last_hidden_state", (string?)metrics["name"]);
            Assert.InRange((double)metrics["cosine"]!, 0.99, 1.0);
            Assert.Equal(8, (int)variant["verification"]!["samples"]!);
            Assert.Equal(10, (int)variant["verification"]!["latencyRuns"]!);
            Assert.Equal(PackageVersions.OnnxRuntime, (string?)variant["onnxRuntimeVersion"]);
        }
        // Full-range and 7-bit weights are different assets.
        Assert.NotEqual((string?)variants[0]!["variant"]!["sha256"], (string?)variants[1]!["variant"]!["sha256"]);
    }

    [Fact]
    public void Below_MinCosine_fails_with_MB5010_per_output_and_leaves_nothing_behind()
    {
        using TempFolder temp = WithModel();
        CompileJob job = Job(temp) with { Quantize = "int4", Targets = "cpu;x64", MinCosine = "0.9999999" };

        var (ok, lines) = Jobs.Run(job);

        Assert.False(ok);
        var errors = Messages(lines).Where(m => m.Kind == "error").ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("MB5010", e.Code));
        Assert.All(errors, e => Assert.Equal(job.Model, e.File));
        Assert.Contains("variant cpu int4, output 'last_hidden_state': cosine similarity 0.99", errors[0].Text);
        Assert.Contains("variant x64 int4", errors[1].Text);
        Assert.False(File.Exists(job.AssetListFile));
        Assert.False(File.Exists(job.SignatureFile));
        Assert.False(Directory.Exists(job.OutputDirectory));
    }

    [Fact]
    public void Verify_warn_reports_and_ships_Verify_off_skips_measuring()
    {
        using TempFolder temp = WithModel();
        CompileJob warn = Job(temp, "warn") with { Quantize = "int8", Verify = "warn", MaxAbsError = "1e-9" };
        CompileJob off = Job(temp, "off") with { Quantize = "int8", Verify = "off", MaxAbsError = "1e-9" };

        var (warnOk, warnLines) = Jobs.Run(warn);
        var (offOk, offLines) = Jobs.Run(off);

        Assert.True(warnOk, string.Join("\n", warnLines));
        Assert.Contains(Messages(warnLines), m => m.Kind == "warning" && m.Code == "MB5010" && m.Text.Contains("max abs error", StringComparison.Ordinal));
        Assert.True(offOk, string.Join("\n", offLines));
        Assert.DoesNotContain(Messages(offLines), m => m.Kind is "warning" or "error");
        JsonNode verification = Report(off)["variants"]![0]!["variant"]!["verification"]!;
        Assert.Equal("Verify=\"off\"", (string?)verification["skippedReason"]);
        Assert.Empty(verification["outputs"]!.AsArray());
        Assert.Contains("not verified (Verify=\"off\")", Messages(offLines).Single(m => m.Kind == "info").Text);
    }

    [Fact]
    public void Int8_on_cuda_warns_MB5001_and_ships_an_fp32_graph()
    {
        using TempFolder temp = WithModel();
        CompileJob job = Job(temp) with { Quantize = "int8", Targets = "cuda", Fallback = "none" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Contains(Messages(lines), m => m.Kind == "warning" && m.Code == "MB5001" && m.Text.StartsWith("Target cuda: ", StringComparison.Ordinal));
        JsonNode variant = Report(job)["variants"]![0]!["variant"]!;
        Assert.Equal("none", (string?)variant["appliedQuantize"]);
        Assert.Equal("Fp32", (string?)variant["form"]);
        Assert.True((double)variant["sizeRatio"]! > 0.9);
    }

    [Fact]
    public void A_lone_cuda_target_also_compiles_a_verified_cpu_fallback_and_logs_it_as_such()
    {
        using TempFolder temp = WithModel();
        CompileJob job = Job(temp) with { Quantize = "int8", Targets = "cuda", TargetQuantize = "cuda=fp16" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Equal(["cpu", "cuda"], File.ReadAllLines(job.AssetListFile).Select(a => a.Split('/')[0]));
        JsonNode[] variants = Report(job)["variants"]!.AsArray().Select(v => v!["variant"]!).ToArray();
        Assert.Equal(["cpu", "cuda"], variants.Select(v => (string?)v["target"]));
        Assert.Equal("Int8Reduced", (string?)variants[0]["form"]);
        Assert.NotEmpty(variants[0]["verification"]!["outputs"]!.AsArray());
        Assert.Contains(Messages(lines), m => m.Kind == "info" && m.Text.Contains(" -> cpu int8 (fallback for RIDs no CPU target serves): ", StringComparison.Ordinal));
        Assert.Contains("\"target\": \"cpu\"", File.ReadAllText(job.SignatureFile));
    }

    [Fact]
    public void Same_inputs_give_byte_identical_assets_signatures_and_reports_timings_aside()
    {
        using TempFolder temp = WithModel();
        CompileJob first = Job(temp, "a") with { Quantize = "int8", Targets = "x64;mobile", Fallback = "none" };
        CompileJob second = Job(temp, "b") with { Quantize = "int8", Targets = "x64;mobile", Fallback = "none" };

        Assert.True(Jobs.Run(first).Ok);
        Assert.True(Jobs.Run(second).Ok);

        foreach (string asset in File.ReadAllLines(first.AssetListFile))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.OutputDirectory, asset)), File.ReadAllBytes(Path.Combine(second.OutputDirectory, asset)));
        }
        Assert.Equal(File.ReadAllBytes(first.SignatureFile), File.ReadAllBytes(second.SignatureFile));
        Assert.Equal(WithoutTimings(Report(first)), WithoutTimings(Report(second)));
    }

    [Fact]
    public void The_cache_serves_a_second_build_and_ignores_a_damaged_entry()
    {
        using TempFolder temp = WithModel();
        string cache = temp.File("cache");
        CompileJob first = Job(temp, "a") with { Quantize = "int8", Targets = "cpu;arm64" };
        CompileJob second = Job(temp, "b") with { Quantize = "int8", Targets = "cpu;arm64" };

        Assert.True(Jobs.Run(first, cacheDirectory: cache).Ok);
        var (ok, lines) = Jobs.Run(second, cacheDirectory: cache);

        Assert.True(ok, string.Join("\n", lines));
        Assert.All(Messages(lines).Where(m => m.Kind == "info" && m.Text.Contains(" -> ", StringComparison.Ordinal)), m => Assert.EndsWith(" [cached]", m.Text));
        Assert.Equal(File.ReadAllBytes(Path.Combine(first.OutputDirectory, "arm64", Transformer)), File.ReadAllBytes(Path.Combine(second.OutputDirectory, "arm64", Transformer)));
        Assert.All(Report(second)["variants"]!.AsArray(), v => Assert.True((bool)v!["fromCache"]!));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(cache, "tmp")));

        // Damage every stored asset: the next build says so and compiles again, with the same result.
        foreach (string asset in Directory.EnumerateFiles(cache, "asset", SearchOption.AllDirectories))
        {
            File.WriteAllText(asset, "not a model");
        }
        CompileJob third = Job(temp, "c") with { Quantize = "int8", Targets = "cpu;arm64" };
        var (thirdOk, thirdLines) = Jobs.Run(third, cacheDirectory: cache);
        Assert.True(thirdOk, string.Join("\n", thirdLines));
        Assert.Equal(2, Messages(thirdLines).Count(m => m.Kind == "warning" && m.Code == "MB5020"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(first.OutputDirectory, "arm64", Transformer)), File.ReadAllBytes(Path.Combine(third.OutputDirectory, "arm64", Transformer)));

        // The damaged entries were replaced: the next build is served from the cache without a warning.
        var (fourthOk, fourthLines) = Jobs.Run(Job(temp, "d") with { Quantize = "int8", Targets = "cpu;arm64" }, cacheDirectory: cache);
        Assert.True(fourthOk, string.Join("\n", fourthLines));
        Assert.DoesNotContain(Messages(fourthLines), m => m.Code == "MB5020");
        Assert.All(Messages(fourthLines).Where(m => m.Kind == "info" && m.Text.Contains(" -> ", StringComparison.Ordinal)), m => Assert.EndsWith(" [cached]", m.Text));
    }

    [Fact]
    public void Builds_sharing_a_cache_at_once_all_succeed_with_identical_assets()
    {
        using TempFolder temp = WithModel();
        string cache = temp.File("cache");
        CompileJob[] jobs = Enumerable.Range(0, 3).Select(i => Job(temp, $"out{i}") with { Quantize = "int8", Targets = "x64", Fallback = "none" }).ToArray();

        bool[] results = jobs.AsParallel().WithDegreeOfParallelism(3).Select(job => Jobs.Run(job, cacheDirectory: cache).Ok).ToArray();

        Assert.All(results, Assert.True);
        byte[] expected = File.ReadAllBytes(Path.Combine(jobs[0].OutputDirectory, "x64", Transformer));
        Assert.All(jobs, job => Assert.Equal(expected, File.ReadAllBytes(Path.Combine(job.OutputDirectory, "x64", Transformer))));
        Assert.Single(Directory.EnumerateFiles(cache, "report.json", SearchOption.AllDirectories));
    }

    /// <summary>The report with its measured times and the cache flag removed: what must not depend on the run.</summary>
    private static string WithoutTimings(JsonNode report)
    {
        foreach (JsonNode? entry in report["variants"]!.AsArray())
        {
            JsonObject variant = entry!["variant"]!.AsObject();
            variant.Remove("compileMilliseconds");
            variant.Remove("compilerVersion");
            JsonObject verification = variant["verification"]!.AsObject();
            verification.Remove("medianMilliseconds");
            verification.Remove("originalMedianMilliseconds");
            verification.Remove("latencyRatio");
            entry.AsObject().Remove("fromCache");
        }
        return report.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
