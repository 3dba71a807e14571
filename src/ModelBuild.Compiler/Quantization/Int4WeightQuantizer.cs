using System.Globalization;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Weight-only 4-bit quantization: MatMul/Gemm with a constant 2-D float weight become <c>com.microsoft</c>
/// <c>MatMulNBits</c> (A stays float; B blockwise along K, asymmetric uint4 with a scale and zero point per block).
/// Layout per ORT's contrib op schema: B uint8 [N, k_blocks, block_size/2] with element 2i in the low nibble of byte i;
/// scales float [N * k_blocks]; zero_points uint8 [N * ceil(k_blocks/2)], packed the same way per column; inputs
/// A, B, scales, zero_points, g_idx (unused), bias. K that is not a multiple of the block is padded with zero weights.
/// </summary>
internal static class Int4WeightQuantizer
{
    /// <remarks><c>tensors</c>: where weights are read (external tensors of large models); default: inline only.</remarks>
    public static QuantizationResult Apply(ModelProto model, int blockSize = 32, TensorSource? tensors = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (blockSize < 16 || (blockSize & (blockSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "MatMulNBits needs a power-of-two block size of at least 16.");
        }

        var cache = new Dictionary<(GraphScope, string, bool, float), (string B, string Scales, string ZeroPoints)>();
        WeightRewriter? rewriter = null;
        rewriter = new WeightRewriter(model, allowGemm: true, (WeightedMatMul m, GraphScope scope, out string? whyNot) =>
        {
            whyNot = null;
            long count = (long)m.K * m.N;
            if (count < Int8DynamicQuantizer.MinWeightElements)
            {
                whyNot = $"{m.DisplayName}: weight too small ({count.ToString(CultureInfo.InvariantCulture)} elements)";
                return null;
            }

            int blocks = (m.K + blockSize - 1) / blockSize;
            if (!cache.TryGetValue(m.WeightKey, out var quantized))
            {
                float[] w = m.WeightKN();
                if (!WeightRewriter.AllFinite(w))
                {
                    whyNot = $"{m.DisplayName}: weight has NaN or infinite values";
                    return null;
                }

                var (packed, scales, zeroPoints) = Quantize(w, m.K, m.N, blockSize);
                var names = rewriter!.Names;
                quantized = (names.Unique($"{m.Weight.Name}_int4"), names.Unique($"{m.Weight.Name}_int4_scales"), names.Unique($"{m.Weight.Name}_int4_zero_points"));
                m.Weight.Owner.AddInitializer(TensorData.UInt8(quantized.B, [m.N, blocks, blockSize / 2], packed));
                m.Weight.Owner.AddInitializer(TensorData.Float(quantized.Scales, [(long)m.N * blocks], scales));
                m.Weight.Owner.AddInitializer(TensorData.UInt8(quantized.ZeroPoints, [zeroPoints.Length], zeroPoints));
                cache[m.WeightKey] = quantized;
            }

            var node = new NodeProto { OpType = "MatMulNBits", Domain = OpsetImports.Microsoft, Name = rewriter!.NodeName(m, "_int4") };
            node.Input.Add([m.Input, quantized.B, quantized.Scales, quantized.ZeroPoints]);
            if (rewriter.BiasInput(m, scope) is { } bias) node.Input.Add(["", bias]); // g_idx absent
            node.Output.Add(m.Output);
            node.Attribute.Add(Int("K", m.K));
            node.Attribute.Add(Int("N", m.N));
            node.Attribute.Add(Int("bits", 4));
            node.Attribute.Add(Int("block_size", blockSize));
            return node;
        }, tensors);

        rewriter.Run();
        if (rewriter.Rewritten > 0) OpsetImports.EnsureMicrosoft(model);
        return rewriter.Kept.Result(rewriter.Rewritten);
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>
    /// Per column n and block of K: range [min(0, lo), max(0, hi)] over 16 levels (zero exactly representable),
    /// scale = range / 15, zero point = round(-lo / scale), code = clamp(round(w / scale) + zp, 0, 15).
    /// </summary>
    internal static (byte[] Packed, float[] Scales, byte[] ZeroPoints) Quantize(float[] w, int k, int n, int blockSize)
    {
        int blocks = (k + blockSize - 1) / blockSize;
        int zpBytesPerColumn = (blocks + 1) / 2;
        var packed = new byte[(long)n * blocks * blockSize / 2];
        var scales = new float[(long)n * blocks];
        var zeroPoints = new byte[(long)n * zpBytesPerColumn];
        for (int col = 0; col < n; col++)
        {
            for (int block = 0; block < blocks; block++)
            {
                int start = block * blockSize, end = Math.Min(k, start + blockSize);
                float lo = 0f, hi = 0f;
                for (int row = start; row < end; row++)
                {
                    float v = w[(long)row * n + col];
                    lo = MathF.Min(lo, v);
                    hi = MathF.Max(hi, v);
                }

                float scale = hi > lo ? (hi - lo) / 15f : 1f;
                int zp = (int)Math.Clamp(MathF.Round(-lo / scale, MidpointRounding.ToEven), 0, 15);
                long blockIndex = (long)col * blocks + block;
                scales[blockIndex] = scale;
                zeroPoints[(long)col * zpBytesPerColumn + block / 2] |= (byte)(block % 2 == 0 ? zp : zp << 4);

                long byteBase = blockIndex * (blockSize / 2);
                for (int i = 0; i < blockSize; i++)
                {
                    int row = start + i;
                    int code = row < end ? (int)Math.Clamp(MathF.Round(w[(long)row * n + col] / scale, MidpointRounding.ToEven) + zp, 0, 15) : zp;
                    packed[byteBase + i / 2] |= (byte)(i % 2 == 0 ? code : code << 4);
                }
            }
        }

        return (packed, scales, zeroPoints);
    }
}
