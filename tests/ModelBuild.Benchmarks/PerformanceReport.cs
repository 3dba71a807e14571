using System.Globalization;
using System.Text;

namespace ModelBuild.Benchmarks;

/// <summary>Writes docs/performance.md: results, compile cost, goals and the machine they were measured on.</summary>
internal static class PerformanceReport
{
    // Goals for the int8 transformer (docs: FACTS.md reference 0.32x latency, 0.25x size, cosine 0.9999).
    private const double LatencyGoal = 0.30, SizeGoal = 0.26, CosineGoal = 0.9999, CompileVerifyGoalSeconds = 10;
    private const string GoalVariant = "int8";

    public static string Render(MachineInfo machine, DateTimeOffset date, string method, IReadOnlyList<BenchResult> results,
        IReadOnlyList<CompileMeasurement> compiles, IReadOnlyDictionary<string, string> variantDescriptions, bool small)
    {
        var md = new StringBuilder();
        md.AppendLine("# Performance");
        md.AppendLine();
        md.AppendLine(Inv($"Written by `./build.sh bench` (tests/ModelBuild.Benchmarks) on {date:yyyy-MM-dd HH:mm} UTC; rerun it to update this page."));
        if (small)
        {
            md.AppendLine();
            md.AppendLine("**Small test configurations: these numbers check the harness, they measure nothing.**");
        }

        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        md.AppendLine(Inv($"| CPU | {machine.Cpu} |"));
        md.AppendLine(Inv($"| logical cores | {machine.LogicalCores} |"));
        md.AppendLine(Inv($"| CPU features | {(machine.CpuFeatures.Length > 0 ? machine.CpuFeatures : "?")} |"));
        md.AppendLine(Inv($"| OS | {machine.Os} |"));
        md.AppendLine(Inv($"| .NET | {machine.DotNet} |"));
        md.AppendLine(Inv($"| ONNX Runtime | {machine.OnnxRuntime} (CPU execution provider) |"));
        md.AppendLine(Inv($"| BenchmarkDotNet | {machine.BenchmarkDotNet} |"));
        md.AppendLine();

        md.AppendLine("## Method");
        md.AppendLine();
        md.AppendLine("- Models: the model zoo's synthetic full-size networks (random weights, testassets/ModelZoo): " +
                      "`transformer-encoder` (BERT-style, 6 layers, hidden 768, 12 heads, FFN 3072; input 1 × 128 tokens) and " +
                      "`conv-net` (4 blocks of 2 Conv 3×3 + Relu, 32–256 channels; input 1 × 3 × 64 × 64).");
        md.AppendLine("- ONNX Runtime CPU, batch 1, 1 intra-op thread, `session.intra_op.allow_spinning=0`, graph optimization level ALL.");
        md.AppendLine(Inv($"- Latency: {method}; mean ± standard deviation of one inference."));
        md.AppendLine(Inv($"- Cosine: similarity of the whole output tensor (last_hidden_state, logits) to fp32's; the lowest over {AccuracyCheck.Inputs} inputs."));
        md.AppendLine("- Size: the variant's .onnx file. Ratios are to fp32.");
        md.AppendLine("- Compile: read the fp32 model, transform, write (one child process per variant, so the peak working set is the compile's); " +
                      "verify: load fp32 and variant in ONNX Runtime, run one input through both, compare.");
        md.AppendLine();
        md.AppendLine("| variant | what it is |");
        md.AppendLine("|---|---|");
        foreach (var (name, description) in variantDescriptions)
        {
            md.AppendLine(Inv($"| {name} | {description} |"));
        }

        md.AppendLine();
        md.AppendLine("## Inference");
        md.AppendLine();
        md.AppendLine("| model | variant | latency (ms) | latency vs fp32 | size (MB) | size vs fp32 | cosine vs fp32 |");
        md.AppendLine("|---|---|--:|--:|--:|--:|--:|");
        foreach (BenchResult r in results)
        {
            BenchResult? baseline = results.FirstOrDefault(b => b.Model == r.Model && b.Variant == Variants.BaselineName);
            md.AppendLine(Inv($"| {r.Model} | {r.Variant} | {r.MeanMilliseconds:F1} ± {r.StdDevMilliseconds:F1} | {Ratio(r.MeanMilliseconds, baseline?.MeanMilliseconds)} | {r.SizeBytes / 1e6:F1} | {Ratio(r.SizeBytes, baseline?.SizeBytes)} | {r.Cosine:F6} |"));
        }

        md.AppendLine();
        md.AppendLine("## Compile");
        md.AppendLine();
        md.AppendLine("| model | variant | read (s) | transform (s) | write (s) | verify (s) | compile + verify (s) | peak working set, compile (MB) | peak, with verify (MB) | managed allocations (MB) | transform result |");
        md.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|");
        foreach (CompileMeasurement c in compiles)
        {
            md.AppendLine(Inv($"| {c.Model} | {c.Variant} | {c.LoadSeconds:F2} | {c.TransformSeconds:F2} | {c.WriteSeconds:F2} | {c.VerifySeconds:F2} | {c.CompileSeconds + c.VerifySeconds:F2} | {c.PeakWorkingSetCompileBytes / 1e6:F0} | {c.PeakWorkingSetBytes / 1e6:F0} | {c.AllocatedBytes / 1e6:F0} | {Cell(c.Summary)} |"));
        }

        md.AppendLine();
        md.AppendLine("## Goals (transformer-encoder, int8)");
        md.AppendLine();
        BenchResult? fp32 = results.FirstOrDefault(r => r.Model == BenchModels.Transformer.Name && r.Variant == Variants.BaselineName);
        BenchResult? int8 = results.FirstOrDefault(r => r.Model == BenchModels.Transformer.Name && r.Variant == GoalVariant);
        CompileMeasurement? int8Compile = compiles.FirstOrDefault(c => c.Model == BenchModels.Transformer.Name && c.Variant == GoalVariant);
        if (fp32 is null || int8 is null || int8Compile is null)
        {
            md.AppendLine("No int8 variant was measured (the quantizers are not wired in): see tests/ModelBuild.Benchmarks/QuantizedVariants.cs.");
        }
        else
        {
            double latency = int8.MeanMilliseconds / fp32.MeanMilliseconds, size = (double)int8.SizeBytes / fp32.SizeBytes;
            double compileVerify = int8Compile.CompileSeconds + int8Compile.VerifySeconds;
            md.AppendLine("| | goal | reference (FACTS.md) | measured | |");
            md.AppendLine("|---|--:|--:|--:|---|");
            md.AppendLine(Inv($"| latency vs fp32 | ≤ {LatencyGoal:F2}x | 0.32x | {latency:F2}x | {Met(latency <= LatencyGoal)} |"));
            md.AppendLine(Inv($"| size vs fp32 | ≤ {SizeGoal:F2}x | 0.25x | {size:F3}x | {Met(size <= SizeGoal)} |"));
            md.AppendLine(Inv($"| cosine vs fp32 | ≥ {CosineGoal} | 0.9999 | {int8.Cosine:F6} | {Met(int8.Cosine >= CosineGoal)} |"));
            md.AppendLine(Inv($"| compile + verify | ≤ {CompileVerifyGoalSeconds} s | | {compileVerify:F1} s | {Met(compileVerify <= CompileVerifyGoalSeconds)} |"));
        }

        var notes = new List<string>();
        if (!machine.CpuFeatures.Contains("vnni", StringComparison.Ordinal))
        {
            notes.Add("This CPU has no VNNI (avx512_vnni, avx_vnni): ONNX Runtime's int8 kernels take the AVX2 path, so int8 gains less here " +
                      "than on the AVX-512 VNNI machine of the FACTS.md reference numbers.");
        }

        if (results.Any(r => r.StdDevMilliseconds > 0.05 * r.MeanMilliseconds))
        {
            notes.Add("Standard deviations above 5% of the mean: other work shared the cores during the run; compare such rows with care.");
        }

        if (notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes");
            md.AppendLine();
            notes.ForEach(n => md.AppendLine("- " + n));
        }

        md.AppendLine();
        md.AppendLine("BenchmarkDotNet's own report of the same run: `artifacts/bench/BenchmarkDotNet.Artifacts/results/` (not committed).");
        return md.ToString();
    }

    private static string Ratio(double value, double? baseline) =>
        baseline is > 0 ? string.Create(CultureInfo.InvariantCulture, $"{value / baseline.Value:F2}x") : "";

    private static string Met(bool met) => met ? "met" : "**not met**";

    // Quantizer summaries are free text: keep a table cell a table cell.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
