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
    // on a CPU with VNNI, 0.60x without; compile + verify peak memory (VmHWM) 2.5x the model file.
    private const double VnniLatencyGoal = 0.35, Avx2LatencyGoal = 0.60, SizeGoal = 0.26, CosineGoal = 0.9995, CompileVerifyGoalSeconds = 10,
        PeakMemoryGoal = 2.5;
    private const string GoalVariant = "int8-reduced";

    /// <summary>The Quantize value whose x64 compile is measured against the goals.</summary>
    private const string GoalQuantize = "int8";

    // Goal for the conv nets' int8 (issue #12): latency on a CPU with VNNI at this cosine.
    private const double ConvLatencyGoal = 0.75, ConvCosineGoal = 0.99;

    // Goal for fp16 compute of a DBNet-style detector (issue #12), and the benchmark variant that makes it.
    private const double Fp16CosineGoal = 0.999;
    private const string Fp16ComputeVariant = "fp16-graph";

    /// <summary>
    /// The whole page; <c>load</c>: the 1-minute load averages at the start and the end of the run (null where the OS does
    /// not say); <c>rounds</c>: the side-by-side timer's.
    /// </summary>
    public static string Render(MachineInfo machine, DateTimeOffset date, string method, IReadOnlyList<BenchResult> results,
        IReadOnlyList<CompileMeasurement> compiles, IReadOnlyList<AllocationResult> allocations,
        IReadOnlyDictionary<string, string> variantDescriptions, bool small, (double? Start, double? End) load, int rounds,
        (Avx2Kernels.Result? Result, string? WhyNot) avx2)
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
        md.AppendLine(Inv($"| load (1-minute average, this run's own thread included) | {load.Start:F1} at the start, {load.End:F1} at the end |"));
        md.AppendLine();

        md.AppendLine("## Method");
        md.AppendLine();
        md.AppendLine("- Models (the zoo's in testassets/ModelZoo; the published ones fetched from npm by testassets/ModelZoo/Published, never committed):");
        foreach (BenchModel model in BenchModels.All)
        {
            md.AppendLine(Inv($"  - `{model.Name}`: {model.Description}; input {model.InputDescription}."));
        }

        if (BenchModels.All.Any(m => m.Name == BenchModels.OcrRecognizer.Name))
        {
            md.AppendLine("- The issue's PaddleOCR-rec-like conv net (conv backbone + LSTM/attention head) is the real PP-OCRv4 recognizer, `ppocr-v4-rec` (conv backbone + SVTR attention head).");
        }
        else
        {
            md.AppendLine("- Without the published PP-OCRv4 models (a harness check, --small).");
        }

        md.AppendLine("- ONNX Runtime CPU, batch 1, 1 intra-op thread, `session.intra_op.allow_spinning=0`, graph optimization level ALL.");
        md.AppendLine(Inv($"- Latency: {method}; mean ± standard deviation of one inference."));
        md.AppendLine(Inv($"- Side by side: {rounds} rounds after 2 warm-up rounds, each round running every variant of a model once in turn (tests/ModelBuild.Benchmarks/RoundRobinTimer.cs); the median of a variant's per-round ratio to fp32. ") +
                      "Load from other processes falls on all variants alike, so on a shared machine this is the ratio to trust: BenchmarkDotNet's means are taken one variant after another, minutes apart. " +
                      "Ratios to fp32 in the sections below are the side-by-side ones.");
        md.AppendLine(Inv($"- Cosine: similarity of the whole output tensor to fp32's; the lowest over {AccuracyCheck.Inputs} inputs (seeds 0–{AccuracyCheck.Inputs - 1}). Static int8 calibrates on {BenchModel.CalibrationCount} other inputs made the same way (seeds {BenchModel.CalibrationSeed}–{BenchModel.CalibrationSeed + BenchModel.CalibrationCount - 1}), as a user's SampleInputs are not the inputs the model later sees."));
        md.AppendLine("- Size: the variant's .onnx file. Ratios are to fp32.");
        md.AppendLine("- Compile: the built compiler as a child process, `dotnet modelbuild.dll compile <model>.onnx --quantize <q> --targets <t> --fallback none --cache off --out <dir>` (the transformer; the conv nets for x64 int8 with `--sample-inputs`: " +
                      "their calibration inputs as .npz files, without which static int8 Convs are not tried), " +
                      "one per row: the whole pipeline a build runs (load, optimize, quantize, verify against fp32 on generated samples, or the SampleInputs, with timed runs of both, emit). " +
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
        md.AppendLine(Caption(machine));
        md.AppendLine();
        md.AppendLine("| model | variant | latency (ms) | latency vs fp32 | side by side vs fp32 | size (MB) | size vs fp32 | cosine vs fp32 | rewritten |");
        md.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|---|");
        foreach (BenchResult r in results)
        {
            BenchResult? baseline = results.FirstOrDefault(b => b.Model == r.Model && b.Variant == Variants.BaselineName);
            md.AppendLine(Inv($"| {r.Model} | {r.Variant} | {r.MeanMilliseconds:F1} ± {r.StdDevMilliseconds:F1} | {Ratio(r.MeanMilliseconds, baseline?.MeanMilliseconds)} | {r.SideBySideRatio:F2}x | {r.SizeBytes / 1e6:F1} | {Ratio(r.SizeBytes, baseline?.SizeBytes)} | {r.Cosine:F6} | {Cell(r.Rewrite)} |"));
        }

        md.AppendLine();
        md.AppendLine("## Compile (modelbuild compile)");
        md.AppendLine();
        md.AppendLine(Caption(machine));
        md.AppendLine();
        md.AppendLine("| model | target | quantize | applied | wall time (s) | peak memory (MB) | quantize + optimize, per report (s) | size (MB) | nodes rewritten, kept | kept, or the float rewrites of fp32 |");
        md.AppendLine("|---|---|---|---|--:|--:|--:|--:|--:|---|");
        foreach (CompileMeasurement c in compiles)
        {
            VariantReport v = c.Report;
            md.AppendLine(Inv($"| {c.Model} | {c.Target} | {c.Quantize} | {v.AppliedQuantize} | {c.WallSeconds:F1} | {c.PeakMemoryBytes / 1e6:F0} | {v.CompileMilliseconds / 1000:F1} | {v.Size / 1e6:F1} | {v.QuantizedNodes}, {v.KeptNodes} | {Cell(v.FloatRewrites is { } rewrites ? "float rewrites: " + rewrites : NotesSummary(v.KeptNotes))} |"));
        }

        md.AppendLine();
        md.AppendLine("## What the build reports, next to BenchmarkDotNet");
        md.AppendLine();
        md.AppendLine(Inv($"Each compile's report beside the benchmark variant made the same way. The build's numbers are its own verification: cosine is the lowest over outputs on its generated samples (the conv nets: on their SampleInputs), latency the ratio of median times over its timed runs (one intra-op thread, spinning off), size the ratio of its asset (optimized offline) to the model file. The transformer's generated samples fix open dimensions at the compiler's sample sizes (a sequence at {SampleShapeOptions.Default.DefaultSize} tokens; the benchmark's input: {BenchModels.Transformer.InputDescription}), so its latencies are of a shorter input; the conv nets' SampleInputs have the benchmark's input shape.") + " " + Caption(machine));
        md.AppendLine();
        md.AppendLine("| model | target, quantize | benchmark variant | size vs fp32: build reports | benchmark | cosine: build reports | benchmark | latency vs fp32: build reports | benchmark | build's latency (ms): variant vs fp32 |");
        md.AppendLine("|---|---|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (CompileMeasurement c in compiles)
        {
            VerificationReport v = c.Report.Verification;
            BenchResult? bench = results.FirstOrDefault(r => r.Model == c.Model && r.Variant == c.ClosestVariant);
            BenchResult? baseline = results.FirstOrDefault(r => r.Model == c.Model && r.Variant == Variants.BaselineName);
            md.AppendLine(Inv($"| {c.Model} | {c.Target} {c.Quantize} | {c.ClosestVariant} | {c.Report.SizeRatio:F3}x | {Ratio(bench?.SizeBytes ?? 0, baseline?.SizeBytes, "F3")} | {BuildCosine(v):F6} | {bench?.Cosine.ToString("F6", CultureInfo.InvariantCulture)} | {v.LatencyRatio:F2}x | {SideBySide(bench)} | {v.MedianMilliseconds:F1} vs {v.OriginalMedianMilliseconds:F1} |"));
        }

        RenderConvNets(md, machine, results, compiles);
        RenderAvx2(md, machine, results, avx2, rounds);

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
            double latency = int8.SideBySideRatio, size = (double)int8.SizeBytes / fp32.SizeBytes;
            double latencyGoal = machine.CpuFeatures.Contains("vnni", StringComparison.Ordinal) ? VnniLatencyGoal : Avx2LatencyGoal;
            VariantReport built = int8Compile.Report;
            double compileVerify = int8Compile.WallSeconds;
            md.AppendLine(Inv($"Measured: the benchmark's `{GoalVariant}` variant (latency: side by side); compile: the wall time of `modelbuild compile --quantize {GoalQuantize} --targets {int8Compile.Target}`, whose report fills the last column (x64 int8 is `{int8Compile.ClosestVariant}`).") + " " + Caption(machine));
            md.AppendLine();
            md.AppendLine(Inv($"| | goal | reference (FACTS.md) | measured | | what the build reports ({int8Compile.Target} {GoalQuantize}) |"));
            md.AppendLine("|---|--:|--:|--:|---|--:|");
            md.AppendLine(Inv($"| latency vs fp32 | ≤ {latencyGoal:F2}x ({machine.CpuFeatures}) | 0.32x | {latency:F2}x | {Met(latency <= latencyGoal)} | {built.Verification.LatencyRatio:F2}x |"));
            if (avx2.Result?.Timings.FirstOrDefault(t => t.Model == BenchModels.Transformer.Name && t.Variant == GoalVariant) is { } onAvx2)
            {
                md.AppendLine(Inv($"| latency vs fp32, AVX2 kernels | ≤ {Avx2LatencyGoal:F2}x ({avx2.Result.Features}: the section above) | | {onAvx2.RatioToBaseline:F2}x | {Met(onAvx2.RatioToBaseline <= Avx2LatencyGoal)} | |"));
            }

            md.AppendLine(Inv($"| size vs fp32 | ≤ {SizeGoal:F2}x | 0.25x | {size:F3}x | {Met(size <= SizeGoal)} | {built.SizeRatio:F3}x |"));
            md.AppendLine(Inv($"| cosine vs fp32 | ≥ {CosineGoal} | 0.9999 | {int8.Cosine:F6} | {Met(int8.Cosine >= CosineGoal)} | {BuildCosine(built.Verification):F6} |"));
            md.AppendLine(Inv($"| compile + verify | ≤ {CompileVerifyGoalSeconds} s | | {compileVerify:F1} s | {Met(compileVerify <= CompileVerifyGoalSeconds)} | {built.CompileMilliseconds / 1000:F1} s quantize + optimize |"));
            double peak = (double)int8Compile.PeakMemoryBytes / built.OriginalSize;
            md.AppendLine(Inv($"| compile + verify peak memory vs model | ≤ {PeakMemoryGoal:F1}x | | {peak:F2}x ({int8Compile.PeakMemoryBytes / 1e6:F0} MB) | {Met(peak <= PeakMemoryGoal)} | |"));
        }

        RenderAllocations(md, machine, allocations);

        var notes = new List<string>();
        if (!machine.CpuFeatures.Contains("vnni", StringComparison.Ordinal))
        {
            notes.Add("This CPU has no VNNI (avx512_vnni, avx_vnni): ONNX Runtime's int8 kernels take the AVX2 path, so int8 gains less here " +
                      "than on the AVX-512 VNNI machine of the FACTS.md reference numbers.");
        }

        if (new[] { load.Start, load.End }.Any(l => l > BusyLoad))
        {
            notes.Add(Inv($"Measured under load: the 1-minute load average was {load.Start:F1} at the start and {load.End:F1} at the end on {machine.LogicalCores} logical cores (this run alone keeps it near 1): other processes (builds of other work) shared the CPUs. Ratios of variants measured close in time hold better than absolute latencies."));
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

    /// <summary>
    /// What x64 int8 builds ship for each conv net given SampleInputs, as the build's report says, beside the benchmark's
    /// variants made the same way (with and without static int8 Convs), against the issue's goal.
    /// </summary>
    private static void RenderConvNets(StringBuilder md, MachineInfo machine, IReadOnlyList<BenchResult> results, IReadOnlyList<CompileMeasurement> compiles)
    {
        var convCompiles = compiles.Where(c => c.Model != BenchModels.Transformer.Name && c.Quantize == GoalQuantize).ToList();
        if (convCompiles.Count == 0) return;
        bool vnni = machine.CpuFeatures.Contains("vnni", StringComparison.Ordinal);
        md.AppendLine();
        md.AppendLine("## Conv nets: what x64 int8 ships");
        md.AppendLine();
        md.AppendLine(Inv($"`modelbuild compile --quantize {GoalQuantize} --targets x64 --sample-inputs <dir>` ships the `int8-reduced` MatMuls plus the Convs its own search keeps static int8: accurate (cosine halfway from MinCosine to 1) and faster than its fp32 Convs timed side by side on this machine; the others stay fp32, and the report says why with the numbers. ") +
                          "Without SampleInputs every Conv stays fp32, with the exact float rewrites around them (the `int8-reduced` variant). The searches of the build and of the benchmark's `int8-static-conv` variant run separately and time on a shared machine, so their choices can differ. " +
                          Inv($"Goal (issue #12): ≤ {ConvLatencyGoal:F2}x fp32 latency at cosine ≥ {ConvCosineGoal} on a CPU with VNNI{(vnni ? "" : "; this CPU has none, so the goal column is for reference only")}. ") + Caption(machine));
        md.AppendLine();
        md.AppendLine("| model | Convs in the shipped x64 int8 variant (the build's report) | build: latency vs fp32, cosine | benchmark `int8-static-conv`: latency vs fp32, cosine, size vs fp32 | benchmark `int8-reduced` (no SampleInputs): latency vs fp32 | goal |");
        md.AppendLine("|---|---|--:|--:|--:|---|");
        foreach (CompileMeasurement c in convCompiles)
        {
            BenchResult? fp32 = results.FirstOrDefault(r => r.Model == c.Model && r.Variant == Variants.BaselineName);
            BenchResult? shipped = results.FirstOrDefault(r => r.Model == c.Model && r.Variant == c.ClosestVariant);
            BenchResult? matMulsOnly = results.FirstOrDefault(r => r.Model == c.Model && r.Variant == GoalVariant);
            string convs = NotesSummary([.. c.Report.KeptNotes.Where(n => n.StartsWith("Conv", StringComparison.Ordinal))]);
            string goal = fp32 is null || shipped is null
                ? ""
                : Met(shipped.SideBySideRatio <= ConvLatencyGoal && shipped.Cosine >= ConvCosineGoal) + (vnni ? "" : " (no VNNI here)");
            md.AppendLine(Inv($"| {c.Model} | {Cell(convs.Length > 0 ? convs : "(no Conv note in the report)")} | {c.Report.Verification.LatencyRatio:F2}x, {BuildCosine(c.Report.Verification):F6} | ") +
                          Inv($"{SideBySide(shipped)}, {shipped?.Cosine.ToString("F6", CultureInfo.InvariantCulture)}, {Ratio(shipped?.SizeBytes ?? 0, fp32?.SizeBytes, "F3")} | ") +
                          Inv($"{SideBySide(matMulsOnly)} | {goal} |"));
        }

        // The issue's fp16-compute goal is for the DBNet-style detector.
        if (results.FirstOrDefault(r => r.Model == BenchModels.OcrDetector.Name && r.Variant == Fp16ComputeVariant) is { } fp16)
        {
            md.AppendLine();
            md.AppendLine(Inv($"fp16 compute (`{Fp16ComputeVariant}`) of the DBNet-style `{fp16.Model}`: cosine {fp16.Cosine:F6} vs fp32, goal ≥ {Fp16CosineGoal}: {Met(fp16.Cosine >= Fp16CosineGoal)}; {fp16.SideBySideRatio:F2}x fp32 latency on this CPU (fp16 compute is meant for GPUs and arm64)."));
        }
    }

    /// <summary>Every variant's side-by-side ratio on this CPU beside the same file's with AVX2 kernels (<see cref="Avx2Kernels"/>).</summary>
    private static void RenderAvx2(StringBuilder md, MachineInfo machine, IReadOnlyList<BenchResult> results, (Avx2Kernels.Result? Result, string? WhyNot) avx2,
        int rounds)
    {
        md.AppendLine();
        md.AppendLine("## x64 without VNNI: the same files with AVX2 kernels");
        md.AppendLine();
        if (avx2.Result is not { } measured)
        {
            md.AppendLine(Inv($"Not measured by this run: {avx2.WhyNot}."));
            return;
        }

        md.AppendLine(Inv($"Every variant file above, timed side by side again ({rounds} rounds) in a child process that sees no AVX-512, VNNI or AMX: ") +
                      "tests/ModelBuild.Benchmarks/CpuKinds/cpuid-mask.c hides them from CPUID (Linux CPUID faulting), so ONNX Runtime's MLAS picks the kernels of an AVX2-only CPU " +
                      "(int8: u8×s8 pairs summed in int16, `vpmaddubsw`, where VNNI has `vpdpbusd`). The kernels are AVX2 code; the core that runs them is still this machine's, " +
                      Inv($"so absolute times are not an older CPU's, while the int8-to-fp32 ratio is of the same instructions. ISA seen by the child: {measured.Features}. ") + Caption(machine));
        md.AppendLine();
        md.AppendLine(Inv($"| model | variant | side by side vs fp32 ({machine.CpuFeatures}) | AVX2 kernels: latency (ms) | AVX2 kernels: side by side vs fp32 |"));
        md.AppendLine("|---|---|--:|--:|--:|");
        foreach (Avx2Kernels.Timing t in measured.Timings)
        {
            BenchResult? here = results.FirstOrDefault(r => r.Model == t.Model && r.Variant == t.Variant);
            md.AppendLine(Inv($"| {t.Model} | {t.Variant} | {SideBySide(here)} | {t.MedianMilliseconds:F1} | {t.RatioToBaseline:F2}x |"));
        }
    }

    private static void RenderAllocations(StringBuilder md, MachineInfo machine, IReadOnlyList<AllocationResult> allocations)
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
                      "(tests/ModelBuild.Runtime.Tests/AllocationTests.cs asserts both on every test run). " + Caption(machine));
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

    /// <summary>Above this 1-minute load average something besides the benchmark's one thread was running.</summary>
    private const double BusyLoad = 1.5;

    /// <summary>The line over every table of figures: they hold for this CPU's ISA only.</summary>
    private static string Caption(MachineInfo machine) =>
        Inv($"Measured on {machine.Cpu}, {machine.LogicalCores} logical cores, ISA: {(machine.CpuFeatures.Length > 0 ? machine.CpuFeatures : "?")}.");

    private static string SideBySide(BenchResult? result) => result is null ? "" : Inv($"{result.SideBySideRatio:F2}x");

    private static string Ratio(double value, double? baseline, string format = "F2") =>
        baseline is > 0 ? (value / baseline.Value).ToString(format, CultureInfo.InvariantCulture) + "x" : "";

    private static double BuildCosine(VerificationReport verification) => verification.Outputs.Min(o => o.Cosine);

    private static string Met(bool met) => met ? "met" : "**not met**";

    // Quantizer summaries are free text: keep a table cell a table cell.
    /// <summary>The first three notes and how many more the report has: one note per Conv kept fp32 makes a cell a page long.</summary>
    internal static string NotesSummary(IReadOnlyList<string> notes) =>
        string.Join("; ", notes.Take(3)) + (notes.Count > 3 ? $"; … ({notes.Count - 3} more in the report)" : "");

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
