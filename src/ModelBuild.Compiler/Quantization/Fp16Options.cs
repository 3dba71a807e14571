namespace ModelBuild.Compiler.Quantization;

/// <summary>What <see cref="Fp16GraphConverter"/> must respect beyond fp16 numerics.</summary>
/// <param name="CudaKernels">Keep fp32 every op the CUDA provider has no float16 kernel for (<see cref="Fp16CudaKernels"/>).</param>
/// <param name="Ranges">Largest |value| per float value from calibration (<see cref="Fp16ValueRanges.Measure"/>); null: constants are checked, activations are not.</param>
/// <param name="Fp32Nodes">Nodes kept fp32 for accuracy, by their first output (<see cref="Fp16TailSearch"/>).</param>
internal sealed record Fp16Options(bool CudaKernels = false, IReadOnlyDictionary<string, float>? Ranges = null, IReadOnlySet<string>? Fp32Nodes = null)
{
    public static Fp16Options Default { get; } = new();
}
