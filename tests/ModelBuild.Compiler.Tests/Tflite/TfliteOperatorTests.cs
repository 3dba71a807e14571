using ModelBuild.Compiler.Tflite;
using ModelBuild.Compiler.Tflite.Schema;
using static ModelBuild.Compiler.Tests.Tflite.ConvertedTflite;

namespace ModelBuild.Compiler.Tests.Tflite;

/// <summary>
/// Hand-made TFLite models of the operators, converted and run by ONNX Runtime, against references computed
/// here with TFLite's definitions (NHWC, TF "SAME" padding, average pooling without the padding, affine int8).
/// </summary>
public sealed class TfliteOperatorTests
{
    private static readonly Random Random = new(13);

    [Theory]
    [InlineData(Padding.SAME, 2, 1, ActivationFunctionType.RELU)]
    [InlineData(Padding.VALID, 1, 2, ActivationFunctionType.NONE)]
    public void Conv2d_matches_the_nhwc_reference(Padding padding, int strideH, int strideW, ActivationFunctionType activation)
    {
        float[] x = Values(1 * 5 * 6 * 2), w = Values(3 * 3 * 3 * 2), bias = Values(3);
        var (outH, outW) = (OutSize(5, 3, strideH, padding), OutSize(6, 3, strideW, padding));
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", [1, 5, 6, 2]);
        int output = tflite.Output("features", [1, outH, outW, 3]);
        tflite.Operator(BuiltinOperator.CONV_2D, [input, tflite.Floats("w", [3, 3, 3, 2], w), tflite.Floats("b", [3], bias)], [output],
            BuiltinOptions.Conv2DOptions, b => Conv2DOptions.CreateConv2DOptions(b, padding, strideW, strideH, activation).Value);

        float[] actual = Run(tflite, x, [1, 5, 6, 2]);

        float[] expected = Conv(x, [5, 6, 2], w, [3, 3, 3], bias, padding, strideH, strideW, depthwise: false);
        if (activation == ActivationFunctionType.RELU)
        {
            expected = [.. expected.Select(v => Math.Max(v, 0))];
        }
        AssertClose(expected, actual);
    }

    [Fact]
    public void Depthwise_conv2d_with_a_multiplier_matches_the_reference()
    {
        float[] x = Values(1 * 5 * 5 * 2), w = Values(1 * 3 * 3 * 4), bias = Values(4);
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", [1, 5, 5, 2]);
        int output = tflite.Output("features", [1, 3, 3, 4]);
        tflite.Operator(BuiltinOperator.DEPTHWISE_CONV_2D, [input, tflite.Floats("w", [1, 3, 3, 4], w), tflite.Floats("b", [4], bias)], [output],
            BuiltinOptions.DepthwiseConv2DOptions, b => DepthwiseConv2DOptions.CreateDepthwiseConv2DOptions(b, Padding.VALID, 1, 1, 2).Value);

        AssertClose(Conv(x, [5, 5, 2], w, [4, 3, 3], bias, Padding.VALID, 1, 1, depthwise: true), Run(tflite, x, [1, 5, 5, 2]));
    }

    [Theory]
    [InlineData(BuiltinOperator.MAX_POOL_2D)]
    [InlineData(BuiltinOperator.AVERAGE_POOL_2D)]
    public void Pools_with_same_padding_match_the_reference(BuiltinOperator pool)
    {
        float[] x = Values(1 * 5 * 5 * 2);
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", [1, 5, 5, 2]);
        int output = tflite.Output("pooled", [1, 3, 3, 2]);
        tflite.Operator(pool, [input], [output], BuiltinOptions.Pool2DOptions,
            b => Pool2DOptions.CreatePool2DOptions(b, Padding.SAME, 2, 2, 2, 2).Value);

        var expected = new float[3 * 3 * 2];
        for (int oy = 0; oy < 3; oy++)
        for (int ox = 0; ox < 3; ox++)
        for (int c = 0; c < 2; c++)
        {
            // TF SAME with window 2, stride 2 on 5: padding 1 in total, all of it after.
            var window = (from dy in Enumerable.Range(0, 2) from dx in Enumerable.Range(0, 2)
                          let y = oy * 2 + dy let xx = ox * 2 + dx where y < 5 && xx < 5
                          select x[(y * 5 + xx) * 2 + c]).ToList();
            expected[(oy * 3 + ox) * 2 + c] = pool == BuiltinOperator.MAX_POOL_2D ? window.Max() : window.Average();
        }
        AssertClose(expected, Run(tflite, x, [1, 5, 5, 2]));
    }

    [Fact]
    public void An_int8_fully_connected_layer_runs_as_qdq_within_one_quantization_step()
    {
        const float inScale = 0.02f, wScale = 0.01f, outScale = 0.05f;
        const long outZero = -3;
        float[] x = Values(2 * 6);
        sbyte[] w = [.. Enumerable.Range(0, 4 * 6).Select(_ => (sbyte)Random.Next(-127, 128))];
        int[] bias = [.. Enumerable.Range(0, 4).Select(_ => Random.Next(-500, 500))];
        var tflite = new HandMadeTflite();
        int input = tflite.Input("x", [2, 6]);
        int quantized = tflite.Tensor("x_q", [2, 6], TensorType.INT8, quantization: new([inScale], [0]));
        int weights = tflite.Tensor("w", [4, 6], TensorType.INT8, [.. w.Select(v => (byte)v)], new([wScale], [0]));
        int biasTensor = tflite.Tensor("b", [4], TensorType.INT32, [.. bias.SelectMany(BitConverter.GetBytes)], new([inScale * wScale], [0]));
        int product = tflite.Tensor("y_q", [2, 4], TensorType.INT8, quantization: new([outScale], [outZero]));
        int output = tflite.Output("y", [2, 4]);
        tflite.Operator(BuiltinOperator.QUANTIZE, [input], [quantized]);
        tflite.Operator(BuiltinOperator.FULLY_CONNECTED, [quantized, weights, biasTensor], [product]);
        tflite.Operator(BuiltinOperator.DEQUANTIZE, [product], [output]);

        var converted = TfliteReader.ReadFile(Write(tflite));
        Assert.Contains(converted.Graph.Node, n => n.OpType == "DequantizeLinear" && n.Input[0] == "w");

        float[] actual = Run(tflite, x, [2, 6]);
        var expected = new float[8];
        for (int row = 0; row < 2; row++)
        for (int unit = 0; unit < 4; unit++)
        {
            double sum = bias[unit] * inScale * wScale;
            for (int k = 0; k < 6; k++)
            {
                sum += Math.Clamp(Math.Round(x[row * 6 + k] / inScale), -128, 127) * inScale * w[unit * 6 + k] * wScale;
            }
            expected[row * 4 + unit] = (float)((Math.Clamp(Math.Round(sum / outScale) + outZero, -128, 127) - outZero) * outScale);
        }
        AssertClose(expected, actual, tolerance: outScale * 1.01f);
    }

    [Fact]
    public void Shape_and_reduction_operators_match_the_reference()
    {
        float[] x = Values(2 * 3 * 4);
        var tflite = new HandMadeTflite();
        int input = tflite.Input("x", [2, 3, 4]);
        int mean = tflite.Output("mean", [2, 3]);
        int gathered = tflite.Output("gathered", [2, 2, 4]);
        int sliced = tflite.Tensor("sliced", [2, 2]);
        int softmax = tflite.Output("softmax", [2, 2]);
        int padded = tflite.Output("padded", [2, 4, 6]);
        int transposed = tflite.Output("transposed", [4, 2, 3]);
        int concatenated = tflite.Output("concatenated", [2, 3, 8]);
        int product = tflite.Output("product", [2, 3, 3]);
        tflite.Operator(BuiltinOperator.MEAN, [input, tflite.Ints("axis", [2])], [mean], BuiltinOptions.ReducerOptions,
            b => ReducerOptions.CreateReducerOptions(b, false).Value);
        tflite.Operator(BuiltinOperator.GATHER, [input, tflite.Ints("indices", [2, 0])], [gathered], BuiltinOptions.GatherOptions,
            b => GatherOptions.CreateGatherOptions(b, 1).Value);
        // x[:, 1:3, 2] with the batch axis from begin/end masks and the last axis shrunk away.
        tflite.Operator(BuiltinOperator.STRIDED_SLICE, [input, tflite.Ints("begin", [5, 1, 2]), tflite.Ints("end", [0, 3, 3]), tflite.Ints("strides", [1, 1, 1])],
            [sliced], BuiltinOptions.StridedSliceOptions, b => StridedSliceOptions.CreateStridedSliceOptions(b, 1, 1, 0, 0, 4).Value);
        tflite.Operator(BuiltinOperator.SOFTMAX, [sliced], [softmax], BuiltinOptions.SoftmaxOptions, b => SoftmaxOptions.CreateSoftmaxOptions(b, 2f).Value);
        tflite.Operator(BuiltinOperator.PAD, [input, tflite.Ints("paddings", [0, 0, 1, 0, 0, 2], [3, 2])], [padded]);
        tflite.Operator(BuiltinOperator.TRANSPOSE, [input, tflite.Ints("perm", [2, 0, 1])], [transposed]);
        tflite.Operator(BuiltinOperator.CONCATENATION, [input, input], [concatenated], BuiltinOptions.ConcatenationOptions,
            b => ConcatenationOptions.CreateConcatenationOptions(b, 2, ActivationFunctionType.RELU).Value);
        tflite.Operator(BuiltinOperator.BATCH_MATMUL, [input, input], [product], BuiltinOptions.BatchMatMulOptions,
            b => BatchMatMulOptions.CreateBatchMatMulOptions(b, false, true).Value);

        var outputs = RunAll(tflite, x, [2, 3, 4]);

        float At(int i, int j, int k) => x[(i * 3 + j) * 4 + k];
        AssertClose([.. from i in Range(2) from j in Range(3) select Range(4).Average(k => At(i, j, k))], outputs["mean"]);
        AssertClose([.. from i in Range(2) from j in new[] { 2, 0 } from k in Range(4) select At(i, j, k)], outputs["gathered"]);
        AssertClose([.. from i in Range(2) let row = new[] { At(i, 1, 2), At(i, 2, 2) } let e = row.Select(v => Math.Exp(2 * v)).ToArray()
                        from v in e select (float)(v / e.Sum())], outputs["softmax"]);
        AssertClose([.. from i in Range(2) from j in Range(4) from k in Range(6) select j == 0 || k >= 4 ? 0 : At(i, j - 1, k)], outputs["padded"]);
        AssertClose([.. from k in Range(4) from i in Range(2) from j in Range(3) select At(i, j, k)], outputs["transposed"]);
        AssertClose([.. from i in Range(2) from j in Range(3) from k in Range(8) select Math.Max(0, At(i, j, k % 4))], outputs["concatenated"]);
        AssertClose([.. from i in Range(2) from j in Range(3) from l in Range(3) select Range(4).Sum(k => At(i, j, k) * At(i, l, k))], outputs["product"]);
    }

    [Fact]
    public void Split_pack_unpack_and_argmax_match_the_reference()
    {
        float[] x = Values(2 * 3 * 4);
        var tflite = new HandMadeTflite();
        int input = tflite.Input("x", [2, 3, 4]);
        int half0 = tflite.Output("half0", [2, 3, 2]), half1 = tflite.Output("half1", [2, 3, 2]);
        int first = tflite.Output("first", [2, 1, 4]), rest = tflite.Output("rest", [2, 2, 4]);
        int packed = tflite.Output("packed", [2, 2, 3, 4]);
        int row0 = tflite.Output("row0", [3, 4]), row1 = tflite.Output("row1", [3, 4]);
        int argmax = tflite.Output("argmax", [2, 3], TensorType.INT32);
        tflite.Operator(BuiltinOperator.SPLIT, [tflite.Ints("split_axis", [2], []), input], [half0, half1], BuiltinOptions.SplitOptions,
            b => SplitOptions.CreateSplitOptions(b, 2).Value);
        tflite.Operator(BuiltinOperator.SPLIT_V, [input, tflite.Ints("sizes", [1, -1]), tflite.Ints("splitv_axis", [1], [])], [first, rest],
            BuiltinOptions.SplitVOptions, b => SplitVOptions.CreateSplitVOptions(b, 2).Value);
        tflite.Operator(BuiltinOperator.PACK, [input, input], [packed], BuiltinOptions.PackOptions, b => PackOptions.CreatePackOptions(b, 2, 1).Value);
        tflite.Operator(BuiltinOperator.UNPACK, [input], [row0, row1], BuiltinOptions.UnpackOptions, b => UnpackOptions.CreateUnpackOptions(b, 2, 0).Value);
        tflite.Operator(BuiltinOperator.ARG_MAX, [input, tflite.Ints("argmax_axis", [2])], [argmax]);

        var outputs = RunAll(tflite, x, [2, 3, 4]);

        float At(int i, int j, int k) => x[(i * 3 + j) * 4 + k];
        AssertClose([.. from i in Range(2) from j in Range(3) from k in Range(2) select At(i, j, k)], outputs["half0"]);
        AssertClose([.. from i in Range(2) from j in Range(3) from k in Range(2) select At(i, j, k + 2)], outputs["half1"]);
        AssertClose([.. from i in Range(2) from k in Range(4) select At(i, 0, k)], outputs["first"]);
        AssertClose([.. from i in Range(2) from j in Range(2) from k in Range(4) select At(i, j + 1, k)], outputs["rest"]);
        AssertClose([.. from i in Range(2) from p in Range(2) from j in Range(3) from k in Range(4) select At(i, j, k)], outputs["packed"]);
        AssertClose([.. from j in Range(3) from k in Range(4) select At(0, j, k)], outputs["row0"]);
        AssertClose([.. from j in Range(3) from k in Range(4) select At(1, j, k)], outputs["row1"]);
        AssertClose([.. from i in Range(2) from j in Range(3) select (float)Range(4).MaxBy(k => At(i, j, k))], outputs["argmax"]);
    }

    private static IEnumerable<int> Range(int count) => Enumerable.Range(0, count);

    private static int OutSize(int size, int kernel, int stride, Padding padding) =>
        padding == Padding.SAME ? (size + stride - 1) / stride : (size - kernel) / stride + 1;

    /// <summary>NHWC convolution as TFLite defines it; weights OHWI (conv) or 1HWC (depthwise, <paramref name="wShape"/> = [C·M, H, W]).</summary>
    private static float[] Conv(float[] x, int[] xShape, float[] w, int[] wShape, float[] bias, Padding padding, int strideH, int strideW, bool depthwise)
    {
        var (h, wd, c) = (xShape[0], xShape[1], xShape[2]);
        var (o, kh, kw) = (wShape[0], wShape[1], wShape[2]);
        int outH = OutSize(h, kh, strideH, padding), outW = OutSize(wd, kw, strideW, padding);
        int padTop = padding == Padding.SAME ? Math.Max((outH - 1) * strideH + kh - h, 0) / 2 : 0;
        int padLeft = padding == Padding.SAME ? Math.Max((outW - 1) * strideW + kw - wd, 0) / 2 : 0;
        var result = new float[outH * outW * o];
        for (int oy = 0; oy < outH; oy++)
        for (int ox = 0; ox < outW; ox++)
        for (int oc = 0; oc < o; oc++)
        {
            double sum = bias[oc];
            for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
            {
                int y = oy * strideH + ky - padTop, xx = ox * strideW + kx - padLeft;
                if (y < 0 || y >= h || xx < 0 || xx >= wd)
                {
                    continue;
                }
                if (depthwise)
                {
                    sum += x[(y * wd + xx) * c + oc / (o / c)] * w[(ky * kw + kx) * o + oc];
                }
                else
                {
                    for (int ic = 0; ic < c; ic++)
                    {
                        sum += x[(y * wd + xx) * c + ic] * w[((oc * kh + ky) * kw + kx) * c + ic];
                    }
                }
            }
            result[(oy * outW + ox) * o + oc] = (float)sum;
        }
        return result;
    }

    private static float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(Random.NextDouble() * 2 - 1))];
}
