namespace ModelBuild.Benchmarks;

/// <summary>One row of the allocation table: a way of running a model, its managed bytes and time per run.</summary>
internal sealed record AllocationResult(string Model, string Method, long BytesPerRun, double MeanMicroseconds);
