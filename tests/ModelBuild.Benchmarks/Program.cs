using System.Text.Json;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ModelBuild.Benchmarks;
using ModelBuild.Onnx;
using ModelZoo.Published;

// ModelBuild.Benchmarks [--report file.md] [--work folder] [--quick] [--small] [--round-robin rounds] [--only variant,...]
//                       [--time-only rounds timings.json]
//   writes the zoo's full-size models, fetches the published PP-OCRv4 rec and det (cached outside the repository),
//   makes every variant of each, runs the compiler (modelbuild compile) for each of CompilerRuns.All (the conv nets
//   with SampleInputs written here), runs the BenchmarkDotNet latency benchmarks, checks accuracy, and writes a
//   markdown report (always to <work>/performance.md).
//   --quick: BenchmarkDotNet's Dry job; --small: the zoo's small configurations, without the published models
//   (BenchModels.All). Both only check the harness (--report is then ignored).
//   --round-robin: only the side-by-side latency of every variant (RoundRobinTimer), with size, cosine and the CPU's
//   ISA flags, printed to stdout; a few minutes (tests/ModelBuild.Benchmarks/run-quant-check.sh). --only: those
//   variants (and fp32); then the same files with AVX2 kernels where Avx2Kernels can. --time-only: only time the variant
//   files already in <work>/models side by side, to a JSON file (the child Avx2Kernels starts under its CPUID mask).
string work = Path.GetFullPath(Path.Combine("artifacts", "bench"));
string? reportPath = null;
bool quick = false, small = false;
int roundRobin = 0;
string[]? only = null;
(int Rounds, string Output)? timeOnly = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--report" when i + 1 < args.Length: reportPath = Path.GetFullPath(args[++i]); break;
        case "--work" when i + 1 < args.Length: work = Path.GetFullPath(args[++i]); break;
        case "--quick": quick = true; break;
        case "--small": small = true; break;
        case "--only" when i + 1 < args.Length: only = args[++i].Split(','); break;
        case "--time-only" when i + 2 < args.Length:
            timeOnly = (int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture), Path.GetFullPath(args[++i]));
            break;
        case "--round-robin" when i + 1 < args.Length: roundRobin = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine("usage: ModelBuild.Benchmarks [--report file.md] [--work folder] [--quick] [--small] [--round-robin rounds] [--only variant,...] [--time-only rounds timings.json]");
            return 2;
    }
}

// Environment variables, not statics, so benchmark classes and compile probes see the same choices in any process.
double? loadAtStart = MachineInfo.LoadAverage();
Environment.SetEnvironmentVariable(BenchModels.SmallVariable, small ? "1" : "0");
string models = Path.Combine(work, "models");
Environment.SetEnvironmentVariable(BenchModels.FolderVariable, models);
string zoo = Path.Combine(work, "zoo");
if (timeOnly is { } timing)
{
    Avx2Kernels.TimeVariantFiles(timing.Rounds, timing.Output);
    return 0;
}


Console.WriteLine($"== models ({zoo}; published: {PublishedModels.CacheFolder})");
var sources = BenchModels.All.ToDictionary(m => m.Name, m => m.Source(zoo));

Console.WriteLine($"== variants ({models})");
// Only this run's variants: the AVX2 pass times every file in the folder.
if (Directory.Exists(models)) Directory.Delete(models, recursive: true);
Directory.CreateDirectory(models);
var rewrites = new Dictionary<(string Model, string Variant), string>();
foreach (BenchModel model in BenchModels.All)
{
    foreach (Variant variant in Variants.All.Where(v => only is null || v == Variants.Fp32 || only.Contains(v.Name)))
    {
        var proto = OnnxModelReader.ReadFile(sources[model.Name]);
        string rewrite = variant.Apply(proto, model);
        OnnxModelWriter.WriteFile(proto, BenchModels.PathOf(model, variant));
        Console.WriteLine($"{model.Name} {variant.Name}: {rewrite}");
        rewrites[(model.Name, variant.Name)] = rewrite;
    }
}

if (roundRobin > 0)
{
    Console.WriteLine(SideBySide.Render(MachineInfo.Collect(), BenchModels.All,
        [.. Variants.All.Where(v => only is null || v == Variants.Fp32 || only.Contains(v.Name))], rewrites, roundRobin));
    var (avx2Timings, whyNot) = Avx2Kernels.MeasureIfAvailable(work, roundRobin);
    Console.WriteLine(avx2Timings is null ? $"AVX2 kernels not timed: {whyNot}." : SideBySide.RenderAvx2(avx2Timings));
    return 0;
}

Console.WriteLine($"== compile ({CompilerRuns.CompilerPath})");
var compiles = new List<CompileMeasurement>();
foreach (CompilerRun run in CompilerRuns.All.Where(r => BenchModels.All.Any(m => m.Name == r.Model)))
{
    BenchModel model = BenchModels.Get(run.Model);
    CompileMeasurement c = CompilerRuns.Measure(model, run, sources[model.Name], Path.Combine(work, "compile", $"{model.Name}.{run.Target}.{run.Quantize}"));
    Console.WriteLine($"{model.Name} {run.Target} {run.Quantize}: {c.WallSeconds:F1} s, peak {c.PeakMemoryBytes / 1e6:F0} MB");
    compiles.Add(c);
}

bool failed = false;
Console.WriteLine("== latency (BenchmarkDotNet)");
Summary summary = BenchmarkRunner.Run<InferenceBenchmarks>(BenchConfig.Create(Path.Combine(work, "BenchmarkDotNet.Artifacts"), quick));

Console.WriteLine("== allocations per run (BenchmarkDotNet)");
Summary allocationSummary = BenchmarkRunner.Run<RunAllocationBenchmarks>(BenchConfig.Create(Path.Combine(work, "BenchmarkDotNet.Artifacts"), quick));
var allocations = new List<AllocationResult>();
foreach (BenchmarkReport report in allocationSummary.Reports)
{
    long? bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
    if (bytes is null || report.ResultStatistics is null)
    {
        Console.Error.WriteLine($"error: no allocation measured for {report.BenchmarkCase.DisplayInfo}.");
        failed = true;
        continue;
    }

    allocations.Add(new AllocationResult((string)report.BenchmarkCase.Parameters[nameof(RunAllocationBenchmarks.Model)],
        report.BenchmarkCase.Descriptor.WorkloadMethod.Name, bytes.Value, report.ResultStatistics.Mean / 1e3));
}

Console.WriteLine("== accuracy");
var cosines = AccuracyCheck.Run(BenchModels.All, Variants.All);

// BenchmarkDotNet times one variant after another, minutes apart; on a shared machine the load changes in between.
int rounds = quick ? 1 : RoundRobinTimer.ReportRounds;
Console.WriteLine($"== side by side ({rounds} rounds)");
var sideBySide = new Dictionary<(string Model, string Variant), double>();
foreach (BenchModel model in BenchModels.All)
{
    foreach (RoundRobinTimer.Timing t in RoundRobinTimer.Measure(model, [.. Variants.All.Select(v => (v.Name, BenchModels.PathOf(model, v)))], rounds))
    {
        sideBySide[(model.Name, t.Variant)] = t.RatioToBaseline;
    }
}

Console.WriteLine($"== side by side with AVX2 kernels ({rounds} rounds)");
(Avx2Kernels.Result? Result, string? WhyNot) avx2;
try
{
    avx2 = Avx2Kernels.MeasureIfAvailable(work, rounds);
    if (avx2.WhyNot is not null) Console.WriteLine($"skipped: {avx2.WhyNot}");
}
catch (Exception e) when (e is InvalidOperationException or IOException or JsonException)
{
    Console.Error.WriteLine($"error: AVX2 kernels: {e.Message}");
    avx2 = (null, $"the run failed ({e.Message})");
    failed = true;
}

var results = new List<BenchResult>();
foreach (BenchModel model in BenchModels.All)
{
    foreach (Variant variant in Variants.All)
    {
        BenchmarkReport? report = summary.Reports.FirstOrDefault(r =>
            (string)r.BenchmarkCase.Parameters[nameof(InferenceBenchmarks.Model)] == model.Name &&
            (string)r.BenchmarkCase.Parameters[nameof(InferenceBenchmarks.Variant)] == variant.Name);
        if (report?.ResultStatistics is not { } stats)
        {
            Console.Error.WriteLine($"error: no latency measured for {model.Name} {variant.Name}.");
            failed = true;
            continue;
        }

        results.Add(new BenchResult(model.Name, variant.Name, stats.Mean / 1e6, stats.StandardDeviation / 1e6, sideBySide[(model.Name, variant.Name)],
            new FileInfo(BenchModels.PathOf(model, variant)).Length, cosines[(model.Name, variant.Name)], rewrites[(model.Name, variant.Name)]));
    }
}

string markdown = PerformanceReport.Render(MachineInfo.Collect(), DateTimeOffset.UtcNow, BenchConfig.Describe(quick), results, compiles, allocations,
    Variants.All.ToDictionary(v => v.Name, v => v.Description), small, (loadAtStart, MachineInfo.LoadAverage()), rounds, avx2);
Console.WriteLine();
Console.WriteLine(markdown);
File.WriteAllText(Path.Combine(work, "performance.md"), markdown);
// A harness check must not overwrite the committed measurements.
if (reportPath is not null && !quick && !small)
{
    File.WriteAllText(reportPath, markdown + PerformanceReport.HandMeasured(reportPath));
    Console.WriteLine($"wrote {reportPath}");
}

return failed ? 1 : 0;
