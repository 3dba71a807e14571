namespace ModelBuild.Runtime;

/// <summary>
/// One compiled form of a model, as recorded at build time: the asset built for one target (<c>cpu</c>, <c>x64</c>,
/// <c>arm64</c>, <c>cuda</c>, <c>mobile</c>) with the quantization it got and the execution provider it is meant for.
/// <see cref="ModelSession.Load(ModelDescription, string?, ModelOptions?)"/> chooses one of a model's variants.
/// </summary>
/// <param name="Target">The build target, e.g. <c>x64</c> or <c>cuda</c>.</param>
/// <param name="Quantize">The quantization applied: <c>none</c>, <c>int8</c>, <c>fp16</c> or <c>int4</c>.</param>
/// <param name="ExecutionProvider">The ONNX Runtime execution provider the asset is meant for: <c>cpu</c> or <c>cuda</c>.</param>
/// <param name="AssetPath">The asset's path relative to the application base directory, e.g. <c>models/Net/cuda/net.onnx</c>.</param>
/// <param name="Sha256">The lower-case hex SHA-256 of the asset recorded at build time.</param>
public sealed record ModelVariant(string Target, string Quantize, string ExecutionProvider, string AssetPath, string Sha256)
{
    /// <summary>The target of the portable CPU variant, and of the one variant of a model built without targets.</summary>
    public const string PortableTarget = ModelBuild.Shared.BuildTargets.Portable;

    /// <summary>The name of ONNX Runtime's CPU execution provider in <see cref="ExecutionProvider"/>.</summary>
    public const string CpuProvider = ModelBuild.Shared.BuildTargets.CpuProvider;

    /// <summary>The name of ONNX Runtime's CUDA execution provider in <see cref="ExecutionProvider"/>.</summary>
    public const string CudaProvider = ModelBuild.Shared.BuildTargets.CudaProvider;

    /// <summary>Returns the target, quantization, provider and asset path, e.g. <c>cuda (fp16, cuda): models/Net/cuda/net.onnx</c>.</summary>
    /// <returns>A readable description used in logs and error messages.</returns>
    public override string ToString() => $"{Target} ({Quantize}, {ExecutionProvider}): {AssetPath}";
}
