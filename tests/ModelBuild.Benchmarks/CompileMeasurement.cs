using ModelBuild.Compiler.Reports;

namespace ModelBuild.Benchmarks;

/// <summary>
/// One run of the real compiler (<c>modelbuild compile</c>, a child process) on a benchmark model: its wall time and
/// peak memory (VmHWM on Linux, peak working set elsewhere) as measured from outside, the benchmark variant made the
/// same way (whose BenchmarkDotNet numbers the report's are shown next to), and the report the compiler wrote for
/// its one variant.
/// </summary>
internal sealed record CompileMeasurement(
    string Model,
    string Quantize,
    string Target,
    string ClosestVariant,
    double WallSeconds,
    long PeakMemoryBytes,
    VariantReport Report);
