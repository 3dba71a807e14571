namespace ModelBuild.Benchmarks;

/// <summary>One row of the results table: a model's variant with its latency, file size and accuracy.</summary>
internal sealed record BenchResult(string Model, string Variant, double MeanMilliseconds, double StdDevMilliseconds, long SizeBytes, double Cosine);
