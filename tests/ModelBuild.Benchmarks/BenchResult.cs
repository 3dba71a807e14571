namespace ModelBuild.Benchmarks;

/// <summary>
/// One row of the results table: a model's variant with its latency (BenchmarkDotNet's mean, and its ratio to fp32 timed
/// side by side by <see cref="RoundRobinTimer"/>), file size, accuracy and what the transform rewrote.
/// </summary>
internal sealed record BenchResult(string Model, string Variant, double MeanMilliseconds, double StdDevMilliseconds, double SideBySideRatio, long SizeBytes, double Cosine, string Rewrite);
