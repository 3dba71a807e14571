namespace ModelBuild.Benchmarks;

/// <summary>One row of the results table: a model's variant with its latency, file size, accuracy and what the transform rewrote.</summary>
internal sealed record BenchResult(string Model, string Variant, double MeanMilliseconds, double StdDevMilliseconds, long SizeBytes, double Cosine, string Rewrite);
