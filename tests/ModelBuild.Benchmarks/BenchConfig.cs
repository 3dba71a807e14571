using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ModelBuild.Benchmarks;

/// <summary>
/// A short job for a small shared machine: in-process (no generated project to build, models already in the page
/// cache), few iterations. The work is native ONNX Runtime code of tens to hundreds of milliseconds per call, so
/// JIT and GC noise that BenchmarkDotNet's defaults guard against hardly matter.
/// </summary>
internal static class BenchConfig
{
    public const int WarmupCount = 3;
    public const int IterationCount = 10;
    public const int IterationMilliseconds = 250;

    public static IConfig Create(string artifactsPath, bool quick)
    {
        Job job = quick
            ? Job.Dry.WithId("quick")
            : Job.Default.WithId("short")
                .WithLaunchCount(1)
                .WithWarmupCount(WarmupCount)
                .WithIterationCount(IterationCount)
                .WithIterationTime(TimeInterval.FromMilliseconds(IterationMilliseconds));

        return ManualConfig.CreateEmpty()
            .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(ConsoleLogger.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithArtifactsPath(artifactsPath);
    }

    public static string Describe(bool quick) => quick
        ? "BenchmarkDotNet Dry job (one invocation: a harness check, not a measurement)"
        : $"BenchmarkDotNet in-process job: 1 launch, {WarmupCount} warm-up and {IterationCount} measured iterations of ~{IterationMilliseconds} ms";
}
