using System.Globalization;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Whether a cuda fp16 graph can beat fp32 on the GPU. fp16 pays in the heavy ops (tensor-core convolutions and
/// matrix products); the elementwise rest is memory-bound and gains about as much as the casts around fp32 islands
/// cost. When most heavy ops had to stay fp32 (ranges, kernels), the fp16 form is casts without the gain, so the cuda
/// variant stays fp32. Whether a graph that passes is really faster is measured on a GPU (testassets/GpuCheck).
/// </summary>
internal static class Fp16CudaPayoff
{
    /// <summary>Ops whose fp16 form runs on tensor cores.</summary>
    public static readonly IReadOnlySet<string> HeavyOps = new HashSet<string>(StringComparer.Ordinal)
    {
        "Conv", "ConvTranspose", "MatMul", "Gemm", "LSTM", "GRU", "RNN", "Attention", "Einsum",
    };

    /// <summary>Share of the heavy ops that must compute in fp16 for the form to be worth it.</summary>
    public const double MinHeavyShare = 0.5;

    /// <summary>Null when the converted graph computes enough heavy ops in fp16; otherwise why fp32 is the better cuda form.</summary>
    public static string? WhyNot(GraphProto converted)
    {
        ArgumentNullException.ThrowIfNull(converted);
        Dictionary<string, int> types = ElementTypes.Infer(converted);
        var heavy = converted.Node.Where(n => GraphScope.IsDefaultDomain(n) && HeavyOps.Contains(n.OpType)).ToList();
        if (heavy.Count == 0) return "the model has no Conv, MatMul, Gemm or recurrent layer for fp16 to speed up";
        int fp16 = heavy.Count(n => n.Output.Count > 0 && types.GetValueOrDefault(n.Output[0]) == (int)DataType.Float16);
        return fp16 >= MinHeavyShare * heavy.Count ? null
            : string.Create(CultureInfo.InvariantCulture,
                $"only {fp16} of {heavy.Count} Conv/MatMul/Gemm/recurrent nodes can compute in fp16 (the rest leave fp16's range or have no CUDA fp16 kernel), so casts would cost more than fp16 saves");
    }
}
