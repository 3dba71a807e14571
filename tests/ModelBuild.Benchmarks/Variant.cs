using ModelBuild.Onnx.Protos;

namespace ModelBuild.Benchmarks;

/// <summary>
/// One way of compiling a model: <paramref name="Apply"/> rewrites the model in place (the benchmark model gives
/// calibration samples where a transform needs them) and returns a one-line summary of what it did.
/// </summary>
internal sealed record Variant(string Name, string Description, Func<ModelProto, BenchModel, string> Apply);
