using System.Globalization;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Dynamic int8 quantization of weights: MatMul/Gemm with a constant 2-D float weight become <c>com.microsoft</c>
/// <c>DynamicQuantizeMatMul</c> (A quantized to uint8 at run time, B int8 symmetric with one scale per output column,
/// or uint8 with a scale and zero point per column (<see cref="Int8WeightRange.Unsigned"/>), bias folded), and
/// embedding tables become fp16 (<see cref="Fp16EmbeddingConverter"/>). A contrib op rather than QDQ or MatMulInteger,
/// so it works at every opset, and the fastest form measured on ORT CPU (see FACTS.md). Convs are left to
/// <see cref="StaticInt8ConvQuantizer"/>: dynamic int8 Conv (ConvInteger) was 3.1x slower than fp32 on ORT 1.31.
/// </summary>
internal static class Int8DynamicQuantizer
{
    /// <summary>
    /// Weights with fewer elements stay fp32. Below 4096 elements (16 KiB) the saving is a few KiB while run-time
    /// quantization of A plus integer GEMM setup costs about as much as the tiny fp32 product; such layers (heads,
    /// gates, the 4×16 of a small MLP) are also the ones where quantization error shows most in the output.
    /// </summary>
    public const int MinWeightElements = 4096;

    /// <remarks><c>tensors</c>: where weights are read (external tensors of large models); default: inline only.</remarks>
    public static QuantizationResult Apply(ModelProto model, Int8WeightRange range, TensorSource? tensors = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        int qmax = range == Int8WeightRange.Full ? 127 : 63;
        var cache = new Dictionary<(GraphScope, string, bool, float), (string Weight, string Scale, string? ZeroPoint)>();
        WeightRewriter? rewriter = null;
        rewriter = new WeightRewriter(model, allowGemm: true, (WeightedMatMul m, GraphScope scope, out string? whyNot) =>
        {
            whyNot = null;
            long count = (long)m.K * m.N;
            if (count < MinWeightElements)
            {
                whyNot = $"{m.DisplayName}: weight too small ({count.ToString(CultureInfo.InvariantCulture)} elements)";
                return null;
            }

            if (!cache.TryGetValue(m.WeightKey, out var quantized))
            {
                float[] w = m.WeightKN();
                if (!WeightRewriter.AllFinite(w))
                {
                    whyNot = $"{m.DisplayName}: weight has NaN or infinite values";
                    return null;
                }

                quantized = range == Int8WeightRange.Unsigned ? AddUnsigned(rewriter!, m, w) : AddSigned(rewriter!, m, w, qmax);
                cache[m.WeightKey] = quantized;
            }

            var node = new NodeProto { OpType = "DynamicQuantizeMatMul", Domain = OpsetImports.Microsoft, Name = rewriter!.NodeName(m, "_int8") };
            node.Input.Add(m.Input);
            node.Input.Add(quantized.Weight);
            node.Input.Add(quantized.Scale);
            string? bias = rewriter.BiasInput(m, scope);
            if (quantized.ZeroPoint is not null || bias is not null) node.Input.Add(quantized.ZeroPoint ?? ""); // absent: symmetric weights
            if (bias is not null) node.Input.Add(bias);

            node.Output.Add(m.Output);
            return node;
        }, tensors);

        rewriter.Run();
        if (rewriter.Rewritten > 0) OpsetImports.EnsureMicrosoft(model);
        return rewriter.Kept.Result(rewriter.Rewritten).Plus(Fp16EmbeddingConverter.Apply(model, tensors));
    }

    private static (string, string, string?) AddSigned(WeightRewriter rewriter, WeightedMatMul m, float[] w, int qmax)
    {
        var (values, scales) = Quantize(w, m.K, m.N, qmax);
        string weight = rewriter.Names.Unique($"{m.Weight.Name}_int8"), scale = rewriter.Names.Unique($"{m.Weight.Name}_int8_scale");
        m.Weight.Owner.AddInitializer(TensorData.Int8(weight, [m.K, m.N], values));
        m.Weight.Owner.AddInitializer(TensorData.Float(scale, [m.N], scales));
        return (weight, scale, null);
    }

    private static (string, string, string?) AddUnsigned(WeightRewriter rewriter, WeightedMatMul m, float[] w)
    {
        var (values, scales, zeroPoints) = QuantizeUnsigned(w, m.K, m.N);
        string weight = rewriter.Names.Unique($"{m.Weight.Name}_uint8"), scale = rewriter.Names.Unique($"{m.Weight.Name}_uint8_scale");
        string zeroPoint = rewriter.Names.Unique($"{m.Weight.Name}_uint8_zero_point");
        m.Weight.Owner.AddInitializer(TensorData.UInt8(weight, [m.K, m.N], values));
        m.Weight.Owner.AddInitializer(TensorData.Float(scale, [m.N], scales));
        m.Weight.Owner.AddInitializer(TensorData.UInt8(zeroPoint, [m.N], zeroPoints));
        return (weight, scale, zeroPoint);
    }

    /// <summary>
    /// Asymmetric per-column quantization of W [K, N] to [0, 255]: the column's range is widened to include 0 (so 0 is
    /// exact, as the kernel needs), scale_n = (max - min) / 255, zero point z_n = round(-min / scale_n),
    /// q = clamp(round-half-even(w / scale_n) + z_n, 0, 255). A zero column gets scale 1 and zero point 0.
    /// </summary>
    internal static (byte[] Values, float[] Scales, byte[] ZeroPoints) QuantizeUnsigned(float[] w, int k, int n)
    {
        var scales = new float[n];
        var zeroPoints = new byte[n];
        for (int col = 0; col < n; col++)
        {
            float min = 0f, max = 0f;
            for (int row = 0; row < k; row++)
            {
                float v = w[(long)row * n + col];
                min = MathF.Min(min, v);
                max = MathF.Max(max, v);
            }

            scales[col] = max > min ? (max - min) / 255f : 1f;
            zeroPoints[col] = (byte)Math.Clamp(MathF.Round(-min / scales[col], MidpointRounding.ToEven), 0, 255);
        }

        var values = new byte[w.Length];
        for (int row = 0; row < k; row++)
        {
            for (int col = 0; col < n; col++)
            {
                long i = (long)row * n + col;
                values[i] = (byte)Math.Clamp(MathF.Round(w[i] / scales[col], MidpointRounding.ToEven) + zeroPoints[col], 0, 255);
            }
        }

        return (values, scales, zeroPoints);
    }

    /// <summary>
    /// Symmetric per-column quantization of W [K, N]: scale_n = max|W[:, n]| / qmax, q = round-half-even(w / scale_n).
    /// A zero column gets scale 1 (all codes 0) so the kernel never divides by zero.
    /// </summary>
    internal static (sbyte[] Values, float[] Scales) Quantize(float[] w, int k, int n, int qmax)
    {
        var scales = new float[n];
        for (int col = 0; col < n; col++)
        {
            float max = 0f;
            for (int row = 0; row < k; row++) max = MathF.Max(max, MathF.Abs(w[(long)row * n + col]));
            scales[col] = max > 0f ? max / qmax : 1f;
        }

        var values = new sbyte[w.Length];
        for (int row = 0; row < k; row++)
        {
            for (int col = 0; col < n; col++)
            {
                long i = (long)row * n + col;
                values[i] = (sbyte)Math.Clamp(MathF.Round(w[i] / scales[col], MidpointRounding.ToEven), -qmax, qmax);
            }
        }

        return (values, scales);
    }
}
