using System.Globalization;
using System.Text;
using ModelBuild.Compiler.Reports;
using ModelBuild.Compiler.Verification;

namespace ModelBuild.Benchmarks;

/// <summary>Writes docs/performance.md: results, compile cost, goals and the machine they were measured on.</summary>
internal static class PerformanceReport
{
    /// <summary>Starts the sections measured by hand at the end of the committed report; a bench run keeps them as they are.</summary>
    public const string HandMeasuredMarker = "<!-- Measured by hand, not by ./build.sh bench: kept as is when the bench rewrites this page. -->";

    /// <summary>The hand-measured tail of the report at <paramref name="path"/> (from <see cref="HandMeasuredMarker"/>), or "".</summary>
    public static string HandMeasured(string path)
    {
        string existing = File.Exists(path) ? File.ReadAllText(path) : "";
        int at = existing.IndexOf(HandMeasuredMarker, StringComparison.Ordinal);
        return at < 0 ? "" : Environment.NewLine + existing[at..];
    }

    // Goals for the int8 transformer (issue #12; FACTS.md reference 0.32x latency on VNNI, 0.25x size): latency 0.35x
    // on a CPU with VNNI, 0.60x without.
    private const double VnniLatencyGoal = 0.35, Avx2LatencyGoal = 0.60, SizeGoal = 0.26, CosineGoal = 0.9995, CompileVerifyGoalSeconds = 10;
    private const string GoalVariant = "int8-reduced";

    /// <summary>The Quantize value whose x64 compile is measured against the goals.</summary>
    private const string GoalQuantize = "int8";

    public static string Render(MachineInfo machine, DateTimeOffset date, string method, IReadOnlyList<BenchResult> results,
        IReadOnlyList<CompileMeasurement> compiles, IReadOnlyList<AllocationResult> allocations,
        IReadOnlyDictionary<string, string> variantDescriptions, bool small)
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
        md.AppendLine("- Compile: the built compiler as a child process, `dotnet modelbuild.dll compile <model>.onnx --quantize <q> --targets <t> --cache off --out <dir>` (the transformer, and the conv net for x64 int8), " +
                      "one per row: the whole pipeline a build runs (load, optimize, quantize, verify against fp32 on generated samples with timed runs of both, emit). " +
                      "Wall time: process start to exit, .NET start-up included. " +
                      Inv($"Peak memory: the child's peak resident set, VmHWM from /proc/<pid>/status, read every {CompilerRuns.PollMilliseconds} ms while it runs ") +
                      "(a high-water mark, so the last reading before exit is the peak; growth in the final interval would be missed). " +
                      "The other numbers come from the report the compiler writes (`<Class>.report.json`, schema modelbuild-report/1).");
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
        md.AppendLine("| model | variant | latency (ms) | latency vs fp32 | size (MB) | size vs fp32 | cosine vs fp32 | rewritten |");
        md.AppendLine("|---|---|--:|--:|--:|--:|--:|---|");
        foreach (BenchResult r in results)
        {
            BenchResult? baseline = results.FirstOrDefault(b => b.Model == r.Model && b.Variant == Variants.BaselineName);
            md.AppendLine(Inv($"| {r.Model} | {r.Variant} | {r.MeanMilliseconds:F1} ± {r.StdDevMilliseconds:F1} | {Ratio(r.MeanMilliseconds, baseline?.MeanMilliseconds)} | {r.SizeBytes / 1e6:F1} | {Ratio(r.SizeBytes, baseline?.SizeBytes)} | {r.Cosine:F6} | {Cell(r.Rewrite)} |"));
        }

        md.AppendLine();
        md.AppendLine("## Compile (modelbuild compile)");
        md.AppendLine();
        md.AppendLine("| model | target | quantize | applied | wall time (s) | peak memory (MB) | quantize + optimize, per report (s) | size (MB) | nodes rewritten, kept | kept |");
        md.AppendLine("|---|---|---|---|--:|--:|--:|--:|--:|---|");
        foreach (CompileMeasurement c in compiles)
        {
            VariantReport v = c.Report;
            md.AppendLine(Inv($"| {c.Model} | {c.Target} | {c.Quantize} | {v.AppliedQuantize} | {c.WallSeconds:F1} | {c.PeakMemoryBytes / 1e6:F0} | {v.CompileMilliseconds / 1000:F1} | {v.Size / 1e6:F1} | {v.QuantizedNodes}, {v.KeptNodes} | {Cell(string.Join("; ", v.KeptNotes))} |"));
        }

        md.AppendLine();
        md.AppendLine("## What the build reports, next to BenchmarkDotNet");
        md.AppendLine();
        md.AppendLine(Inv($"Each compile's report beside the benchmark variant made the same way. The build's numbers are its own verification: cosine is the lowest over outputs on its generated samples, latency the ratio of median times over its timed runs (one intra-op thread, spinning off), size the ratio of its asset (optimized offline) to the model file. Its samples fix open dimensions at the compiler's sample sizes (a sequence at {SampleShapeOptions.Default.DefaultSize} tokens; the benchmark's input: {BenchModels.Transformer.InputDescription}), so its latencies are of a shorter input."));
        md.AppendLine();
        md.AppendLine("| model | target, quantize | benchmark variant | size vs fp32: build reports | benchmark | cosine: build reports | benchmark | latency vs fp32: build reports | benchmark | build's latency (ms): variant vs fp32 |");
        md.AppendLine("|---|---|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (CompileMeasurement c in compiles)
        {
            VerificationReport v = c.Report.Verification;
            BenchResult? bench = results.FirstOrDefault(r => r.Model == c.Model && r.Variant == c.ClosestVariant);
            BenchResult? baseline = results.FirstOrDefault(r => r.Model == c.Model && r.Variant == Variants.BaselineName);
            md.AppendLine(Inv($"| {c.Model} | {c.Target} {c.Quantize} | {c.ClosestVariant} | {c.Report.SizeRatio:F3}x | {Ratio(bench?.SizeBytes ?? 0, baseline?.SizeBytes, "F3")} | {BuildCosine(v):F6} | {bench?.Cosine.ToString("F6", CultureInfo.InvariantCulture)} | {v.LatencyRatio:F2}x | {Ratio(bench?.MeanMilliseconds ?? 0, baseline?.MeanMilliseconds)} | {v.MedianMilliseconds:F1} vs {v.OriginalMedianMilliseconds:F1} |"));
        }

        md.AppendLine();
        md.AppendLine("## Goals (transformer-encoder, int8)");
        md.AppendLine();
        BenchResult? fp32 = results.FirstOrDefault(r => r.Model == BenchModels.Transformer.Name && r.Variant == Variants.BaselineName);
        BenchResult? int8 = results.FirstOrDefault(r => r.Model == BenchModels.Transformer.Name && r.Variant == GoalVariant);
        CompileMeasurement? int8Compile = compiles.FirstOrDefault(c => c.Model == BenchModels.Transformer.Name && c.Quantize == GoalQuantize);
        if (fp32 is null || int8 is null || int8Compile is null)
        {
            md.AppendLine("No int8 variant was measured or compiled: see tests/ModelBuild.Benchmarks/QuantizedVariants.cs and CompilerRuns.cs.");
        }
        else
        {
            double latency = int8.MeanMilliseconds / fp32.MeanMilliseconds, size = (double)int8.SizeBytes / fp32.SizeBytes;
            double latencyGoal = machine.CpuFeatures.Contains("vnni", StringComparison.Ordinal) ? VnniLatencyGoal : Avx2LatencyGoal;
            VariantReport built = int8Compile.Report;
            double compileVerify = int8Compile.WallSeconds;
            md.AppendLine(Inv($"Measured: BenchmarkDotNet's `{GoalVariant}` variant; compile: the wall time of `modelbuild compile --quantize {GoalQuantize} --targets {int8Compile.Target}`, whose report fills the last column (x64 int8 is `{int8Compile.ClosestVariant}`)."));
            md.AppendLine();
            md.AppendLine(Inv($"| | goal | reference (FACTS.md) | measured | | what the build reports ({int8Compile.Target} {GoalQuantize}) |"));
            md.AppendLine("|---|--:|--:|--:|---|--:|");
            md.AppendLine(Inv($"| latency vs fp32 | ≤ {latencyGoal:F2}x ({machine.CpuFeatures}) | 0.32x | {latency:F2}x | {Met(latency <= latencyGoal)} | {built.Verification.LatencyRatio:F2}x |"));
            md.AppendLine(Inv($"| size vs fp32 | ≤ {SizeGoal:F2}x | 0.25x | {size:F3}x | {Met(size <= SizeGoal)} | {built.SizeRatio:F3}x |"));
            md.AppendLine(Inv($"| cosine vs fp32 | ≥ {CosineGoal} | 0.9999 | {int8.Cosine:F6} | {Met(int8.Cosine >= CosineGoal)} | {BuildCosine(built.Verification):F6} |"));
            md.AppendLine(Inv($"| compile + verify | ≤ {CompileVerifyGoalSeconds} s | | {compileVerify:F1} s | {Met(compileVerify <= CompileVerifyGoalSeconds)} | {built.CompileMilliseconds / 1000:F1} s quantize + optimize |"));
        }

        RenderAllocations(md, allocations);

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

    private static void RenderAllocations(StringBuilder md, IReadOnlyList<AllocationResult> allocations)
    {
        md.AppendLine();
        md.AppendLine("## Allocations per run (typed API vs hand-written ONNX Runtime)");
        md.AppendLine();
        md.AppendLine("Managed bytes allocated by one run, BenchmarkDotNet's MemoryDiagnoser (tests/ModelBuild.Benchmarks/RunAllocationBenchmarks.cs, " +
                      "the calls in RunCalls/), on two small zoo models where per-run overhead is all there is: `iris-classifier` " +
                      "(one float input [1, 4], two outputs) and `text-classifier` (BERT-style input_ids, attention_mask, token_type_ids, int64 [1, 16]; one output). " +
                      "`Typed`: the generated wrapper's `Run`, outputs not read (they are read on first access). `TypedReadingOutputs`: the same, reading every output property " +
                      "(each a `DenseTensor<T>` view over native memory). `HandWrittenOrtValue`: the leanest ONNX Runtime code, OrtValues over the caller's arrays with names, shapes, " +
                      "the value array and one RunOptions cached, outputs read as spans. `HandWrittenNamedOnnxValue`: ONNX Runtime's API whose outputs are `DenseTensor<T>` like the wrapper's. " +
                      "The goal: `Typed` ≤ `HandWrittenOrtValue` and `TypedReadingOutputs` ≤ `HandWrittenNamedOnnxValue` " +
                      "(tests/ModelBuild.Runtime.Tests/AllocationTests.cs asserts both on every test run).");
        md.AppendLine();
        md.AppendLine("| model | call | allocated (B/run) | vs hand-written OrtValue | time (µs/run) | goal |");
        md.AppendLine("|---|---|--:|--:|--:|---|");
        foreach (AllocationResult a in allocations)
        {
            long? ortValue = allocations.FirstOrDefault(b => b.Model == a.Model && b.Method == nameof(RunAllocationBenchmarks.HandWrittenOrtValue))?.BytesPerRun;
            long? named = allocations.FirstOrDefault(b => b.Model == a.Model && b.Method == nameof(RunAllocationBenchmarks.HandWrittenNamedOnnxValue))?.BytesPerRun;
            string goal = a.Method switch
            {
                nameof(RunAllocationBenchmarks.Typed) when ortValue is long limit => Met(a.BytesPerRun <= limit) + Inv($" (≤ {limit} B)"),
                nameof(RunAllocationBenchmarks.TypedReadingOutputs) when named is long limit => Met(a.BytesPerRun <= limit) + Inv($" (≤ {limit} B)"),
                _ => "",
            };
            md.AppendLine(Inv($"| {a.Model} | {a.Method} | {a.BytesPerRun} | {Ratio(a.BytesPerRun, ortValue)} | {a.MeanMicroseconds:F1} | {goal} |"));
        }
    }

    private static string Ratio(double value, double? baseline, string format = "F2") =>
        baseline is > 0 ? (value / baseline.Value).ToString(format, CultureInfo.InvariantCulture) + "x" : "";

    private static double BuildCosine(VerificationReport verification) => verification.Outputs.Min(o => o.Cosine);

    private static string Met(bool met) => met ? "met" : "**not met**";

    // Quantizer summaries are free text: keep a table cell a table cell.
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
