using ModelBuild.Compiler.Tflite.Schema;
using ModelBuild.Onnx;
using static ModelBuild.Compiler.Tests.Tflite.ConvertedTflite;

namespace ModelBuild.Compiler.Tests.Tflite;

/// <summary>
/// Resizes, transposed convolution, mirror padding and depth/space rearrangements, converted and run by ONNX Runtime,
/// against plain loops of TFLite's reference kernels (tensorflow/lite/kernels/internal/reference) on NHWC data.
/// </summary>
public sealed class TfliteImageOperatorTests
{
    private static readonly Random Random = new(1115);

    [Theory]
    // Upscaling 3×5 → 5×8 and, with a batch of 2, 2×7 → 3×4 (ties at exact halves in height, a shrink in width).
    [InlineData(false, false, false, 1, 3, 5, 2, 5, 8)]
    [InlineData(false, true, false, 1, 3, 5, 2, 5, 8)]
    [InlineData(false, false, true, 1, 3, 5, 2, 5, 8)]
    [InlineData(true, false, false, 1, 3, 5, 2, 5, 8)]
    [InlineData(true, true, false, 1, 3, 5, 2, 5, 8)]
    [InlineData(true, false, true, 1, 3, 5, 2, 5, 8)]
    [InlineData(false, false, false, 2, 2, 7, 3, 3, 4)]
    [InlineData(false, true, false, 2, 2, 7, 3, 3, 4)]
    [InlineData(false, false, true, 2, 2, 7, 3, 3, 4)]
    [InlineData(true, false, false, 2, 2, 7, 3, 3, 4)]
    [InlineData(true, true, false, 2, 2, 7, 3, 3, 4)]
    [InlineData(true, false, true, 2, 2, 7, 3, 3, 4)]
    // An output height of 1: half_pixel_centers samples the middle (ONNX half_pixel, not pytorch_half_pixel), align_corners the top.
    [InlineData(false, true, false, 1, 4, 5, 2, 1, 3)]
    [InlineData(false, false, true, 1, 4, 5, 2, 1, 3)]
    [InlineData(true, true, false, 1, 4, 5, 2, 1, 3)]
    [InlineData(true, false, true, 1, 4, 5, 2, 1, 3)]
    public void Resizes_match_tflite_index_arithmetic(bool nearest, bool alignCorners, bool halfPixelCenters,
        int n, int h, int w, int c, int outH, int outW)
    {
        float[] x = Values(n * h * w * c);
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", [n, h, w, c]);
        int output = tflite.Output("resized", [n, outH, outW, c]);
        int size = tflite.Ints("size", [outH, outW]);
        if (nearest)
        {
            tflite.Operator(BuiltinOperator.RESIZE_NEAREST_NEIGHBOR, [input, size], [output], BuiltinOptions.ResizeNearestNeighborOptions,
                b => ResizeNearestNeighborOptions.CreateResizeNearestNeighborOptions(b, alignCorners, halfPixelCenters).Value);
        }
        else
        {
            tflite.Operator(BuiltinOperator.RESIZE_BILINEAR, [input, size], [output], BuiltinOptions.ResizeBilinearOptions,
                b => ResizeBilinearOptions.CreateResizeBilinearOptions(b, alignCorners, halfPixelCenters).Value);
        }

        float[] expected = nearest
            ? ResizeNearest(x, [n, h, w, c], outH, outW, alignCorners, halfPixelCenters)
            : ResizeBilinear(x, [n, h, w, c], outH, outW, alignCorners, halfPixelCenters);
        AssertClose(expected, Run(tflite, x, [n, h, w, c]), tolerance: 1e-5f);
    }

    [Fact]
    public void A_resize_of_a_dynamic_batch_keeps_the_batch_it_is_given()
    {
        float[] x = Values(3 * 3 * 5 * 2);
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", [1, 3, 5, 2], signature: [-1, 3, 5, 2]);
        int output = tflite.Output("resized", [1, 6, 4, 2], signature: [-1, 6, 4, 2]);
        tflite.Operator(BuiltinOperator.RESIZE_BILINEAR, [input, tflite.Ints("size", [6, 4])], [output], BuiltinOptions.ResizeBilinearOptions,
            b => ResizeBilinearOptions.CreateResizeBilinearOptions(b, false, true).Value);

        AssertClose(ResizeBilinear(x, [3, 3, 5, 2], 6, 4, false, true), Run(tflite, x, [3, 3, 5, 2]), tolerance: 1e-5f);
    }

    [Fact]
    public void A_resize_with_align_corners_and_half_pixel_centers_fails_with_MB1112()
    {
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", [1, 3, 3, 1]);
        int output = tflite.Output("resized", [1, 6, 6, 1]);
        tflite.Operator(BuiltinOperator.RESIZE_BILINEAR, [input, tflite.Ints("size", [6, 6])], [output], BuiltinOptions.ResizeBilinearOptions,
            b => ResizeBilinearOptions.CreateResizeBilinearOptions(b, true, true).Value);

        var error = Assert.Throws<ModelBuildException>(() => Convert(tflite));

        Assert.Equal("MB1112", error.Code);
        Assert.Contains("RESIZE_BILINEAR", error.Message);
        Assert.Contains("align_corners", error.Message);
    }

    [Theory]
    // SAME with odd output height (a leading pad of 1) and bias + RELU6; VALID with a non-square kernel, a batch of 2,
    // no bias, and an output one column wider than the input reaches (zeros there).
    [InlineData(Padding.SAME, 2, 2, 3, 3, 1, 4, 3, 7, 6, true, ActivationFunctionType.RELU6)]
    [InlineData(Padding.VALID, 1, 2, 2, 3, 2, 3, 3, 4, 8, false, ActivationFunctionType.NONE)]
    public void Transpose_conv_matches_the_tflite_reference(Padding padding, int strideH, int strideW, int kh, int kw,
        int n, int h, int w, int outH, int outW, bool withBias, ActivationFunctionType activation)
    {
        const int inC = 2, outC = 3;
        float[] x = Values(n * h * w * inC), filter = Values(outC * kh * kw * inC), bias = Values(outC);
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", [n, h, w, inC]);
        int output = tflite.Output("upsampled", [n, outH, outW, outC]);
        int[] inputs = [tflite.Ints("output_shape", [n, outH, outW, outC]), tflite.Floats("filter", [outC, kh, kw, inC], filter), input];
        tflite.Operator(BuiltinOperator.TRANSPOSE_CONV, withBias ? [.. inputs, tflite.Floats("bias", [outC], bias)] : inputs, [output],
            BuiltinOptions.TransposeConvOptions, b => TransposeConvOptions.CreateTransposeConvOptions(b, padding, strideW, strideH, activation).Value);

        var expected = new float[n * outH * outW * outC];
        int padTop = TransposePad(padding, outH, kh, strideH), padLeft = TransposePad(padding, outW, kw, strideW);
        for (int b = 0; b < n; b++)
        for (int iy = 0; iy < h; iy++)
        for (int ix = 0; ix < w; ix++)
        for (int ic = 0; ic < inC; ic++)
        for (int fy = 0; fy < kh; fy++)
        for (int fx = 0; fx < kw; fx++)
        for (int oc = 0; oc < outC; oc++)
        {
            int oy = iy * strideH - padTop + fy, ox = ix * strideW - padLeft + fx;
            if (oy >= 0 && oy < outH && ox >= 0 && ox < outW)
            {
                expected[((b * outH + oy) * outW + ox) * outC + oc] +=
                    x[((b * h + iy) * w + ix) * inC + ic] * filter[((oc * kh + fy) * kw + fx) * inC + ic];
            }
        }
        for (int i = 0; i < expected.Length; i++)
        {
            float value = expected[i] + (withBias ? bias[i % outC] : 0);
            expected[i] = activation == ActivationFunctionType.RELU6 ? Math.Clamp(value, 0, 6) : value;
        }
        AssertClose(expected, Run(tflite, x, [n, h, w, inC]), tolerance: 1e-5f);
    }

    [Fact]
    public void An_int8_transpose_conv_with_per_channel_weights_runs_as_qdq_within_one_quantization_step()
    {
        const int h = 3, w = 3, inC = 2, outC = 3, k = 3, outH = 6, outW = 6;
        const float inScale = 0.02f, outScale = 0.04f;
        const long outZero = 5;
        float[] wScales = [0.01f, 0.02f, 0.005f];
        float[] x = Values(h * w * inC);
        sbyte[] filter = [.. Enumerable.Range(0, outC * k * k * inC).Select(_ => (sbyte)Random.Next(-127, 128))];
        int[] bias = [.. Enumerable.Range(0, outC).Select(_ => Random.Next(-800, 800))];
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", [1, h, w, inC]);
        int quantized = tflite.Tensor("image_q", [1, h, w, inC], TensorType.INT8, quantization: new([inScale], [0]));
        int weights = tflite.Tensor("filter", [outC, k, k, inC], TensorType.INT8, [.. filter.Select(v => (byte)v)], new(wScales, [0, 0, 0], Axis: 0));
        int biasTensor = tflite.Tensor("bias", [outC], TensorType.INT32, [.. bias.SelectMany(BitConverter.GetBytes)],
            new([.. wScales.Select(s => s * inScale)], [0, 0, 0], Axis: 0));
        int product = tflite.Tensor("upsampled_q", [1, outH, outW, outC], TensorType.INT8, quantization: new([outScale], [outZero]));
        int output = tflite.Output("upsampled", [1, outH, outW, outC]);
        tflite.Operator(BuiltinOperator.QUANTIZE, [input], [quantized]);
        tflite.Operator(BuiltinOperator.TRANSPOSE_CONV, [tflite.Ints("output_shape", [1, outH, outW, outC]), weights, quantized, biasTensor], [product],
            BuiltinOptions.TransposeConvOptions, b => TransposeConvOptions.CreateTransposeConvOptions(b, Padding.SAME, 2, 2).Value);
        tflite.Operator(BuiltinOperator.DEQUANTIZE, [product], [output]);

        var sums = new double[outH * outW * outC];
        int pad = TransposePad(Padding.SAME, outH, k, 2);
        for (int iy = 0; iy < h; iy++)
        for (int ix = 0; ix < w; ix++)
        for (int ic = 0; ic < inC; ic++)
        for (int fy = 0; fy < k; fy++)
        for (int fx = 0; fx < k; fx++)
        for (int oc = 0; oc < outC; oc++)
        {
            int oy = iy * 2 - pad + fy, ox = ix * 2 - pad + fx;
            if (oy >= 0 && oy < outH && ox >= 0 && ox < outW)
            {
                double q = Math.Clamp(Math.Round(x[(iy * w + ix) * inC + ic] / inScale), -128, 127) * inScale;
                sums[(oy * outW + ox) * outC + oc] += q * filter[((oc * k + fy) * k + fx) * inC + ic] * wScales[oc];
            }
        }
        float[] expected = [.. sums.Select((sum, i) =>
        {
            double real = sum + bias[i % outC] * inScale * wScales[i % outC];
            return (float)((Math.Clamp(Math.Round(real / outScale) + outZero, -128, 127) - outZero) * outScale);
        })];
        AssertClose(expected, Run(tflite, x, [1, h, w, inC]), tolerance: outScale * 1.01f);
    }

    /// <summary>TFLite's transpose-conv padding: ComputePaddingHeightWidth applied to the output size.</summary>
    private static int TransposePad(Padding padding, int outSize, int kernel, int stride)
    {
        int convolved = padding == Padding.SAME ? (outSize + stride - 1) / stride : (outSize + stride - kernel) / stride;
        return Math.Max((convolved - 1) * stride + kernel - outSize, 0) / 2;
    }

    [Theory]
    [InlineData(MirrorPadMode.SYMMETRIC, new[] { 1, 0, 2, 3, 3, 1, 0, 0 })] // the full height mirrored, border repeated
    [InlineData(MirrorPadMode.REFLECT, new[] { 0, 1, 2, 1, 3, 2, 0, 1 })]   // as far as reflect reaches on each axis
    public void Mirror_pad_matches_the_tflite_reference(MirrorPadMode mode, int[] paddings)
    {
        int[] shape = [2, 3, 4, 2];
        float[] x = Values(2 * 3 * 4 * 2);
        int[] outShape = [.. shape.Select((d, axis) => d + paddings[2 * axis] + paddings[2 * axis + 1])];
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", shape);
        int output = tflite.Output("padded", outShape);
        tflite.Operator(BuiltinOperator.MIRROR_PAD, [input, tflite.Ints("paddings", paddings, [4, 2])], [output],
            BuiltinOptions.MirrorPadOptions, b => MirrorPadOptions.CreateMirrorPadOptions(b, mode).Value);

        // TFLite's MirrorPad: an index before the start or past the end reads its mirror, with or without the border.
        int Source(int index, int axis)
        {
            int i = index - paddings[2 * axis], n = shape[axis], border = mode == MirrorPadMode.REFLECT ? 0 : 1;
            return i < 0 ? -i - border : i >= n ? 2 * n - 2 + border - i : i;
        }
        var expected = new float[outShape.Aggregate(1, (a, d) => a * d)];
        for (int b = 0; b < outShape[0]; b++)
        for (int y = 0; y < outShape[1]; y++)
        for (int xx = 0; xx < outShape[2]; xx++)
        for (int c = 0; c < outShape[3]; c++)
        {
            expected[((b * outShape[1] + y) * outShape[2] + xx) * outShape[3] + c] =
                x[((Source(b, 0) * shape[1] + Source(y, 1)) * shape[2] + Source(xx, 2)) * shape[3] + Source(c, 3)];
        }
        AssertClose(expected, Run(tflite, x, shape), tolerance: 0);
    }

    [Fact]
    public void A_symmetric_pad_of_a_dynamic_time_axis_mirrors_the_length_it_is_given()
    {
        float[] x = Values(1 * 5 * 2);
        var tflite = new HandMadeTflite();
        int input = tflite.Input("audio", [1, 1, 2], signature: [1, -1, 2]);
        int output = tflite.Output("padded", [1, 1, 2], signature: [1, -1, 2]);
        tflite.Operator(BuiltinOperator.MIRROR_PAD, [input, tflite.Ints("paddings", [0, 0, 3, 2, 0, 0], [3, 2])], [output],
            BuiltinOptions.MirrorPadOptions, b => MirrorPadOptions.CreateMirrorPadOptions(b, MirrorPadMode.SYMMETRIC).Value);

        int[] frames = [2, 1, 0, 0, 1, 2, 3, 4, 4, 3]; // three mirrored before, the five frames, two mirrored after
        AssertClose([.. frames.SelectMany(t => new[] { x[t * 2], x[t * 2 + 1] })], Run(tflite, x, [1, 5, 2]), tolerance: 0);
    }

    [Fact]
    public void A_reflect_pad_as_wide_as_the_axis_fails_with_MB1114()
    {
        var tflite = new HandMadeTflite();
        int input = tflite.Input("x", [1, 3]);
        int output = tflite.Output("padded", [1, 9]);
        tflite.Operator(BuiltinOperator.MIRROR_PAD, [input, tflite.Ints("paddings", [0, 0, 3, 3], [2, 2])], [output],
            BuiltinOptions.MirrorPadOptions, b => MirrorPadOptions.CreateMirrorPadOptions(b, MirrorPadMode.REFLECT).Value);

        var error = Assert.Throws<ModelBuildException>(() => Convert(tflite));

        Assert.Equal("MB1114", error.Code);
        Assert.Contains("MIRROR_PAD", error.Message);
    }


    [Fact]
    public void Depth_to_space_and_space_to_depth_match_the_tflite_reference()
    {
        const int n = 2, h = 4, w = 6, c = 8, block = 2;
        float[] x = Values(n * h * w * c);
        var tflite = new HandMadeTflite();
        int input = tflite.Input("image", [n, h, w, c]);
        int toSpace = tflite.Output("to_space", [n, h * block, w * block, c / (block * block)]);
        int toDepth = tflite.Output("to_depth", [n, h / block, w / block, c * block * block]);
        tflite.Operator(BuiltinOperator.DEPTH_TO_SPACE, [input], [toSpace], BuiltinOptions.DepthToSpaceOptions,
            b => DepthToSpaceOptions.CreateDepthToSpaceOptions(b, block).Value);
        tflite.Operator(BuiltinOperator.SPACE_TO_DEPTH, [input], [toDepth], BuiltinOptions.SpaceToDepthOptions,
            b => SpaceToDepthOptions.CreateSpaceToDepthOptions(b, block).Value);

        var outputs = RunAll(tflite, x, [n, h, w, c]);

        float At(int b, int y, int xx, int ch) => x[((b * h + y) * w + xx) * c + ch];
        const int spaceC = c / (block * block);
        AssertClose([.. from b in Range(n) from y in Range(h * block) from xx in Range(w * block) from ch in Range(spaceC)
                        select At(b, y / block, xx / block, ((y % block) * block + xx % block) * spaceC + ch)], outputs["to_space"], tolerance: 0);
        AssertClose([.. from b in Range(n) from y in Range(h / block) from xx in Range(w / block)
                        from dy in Range(block) from dx in Range(block) from ch in Range(c)
                        select At(b, y * block + dy, xx * block + dx, ch)], outputs["to_depth"], tolerance: 0);
    }

    private static IEnumerable<int> Range(int count) => Enumerable.Range(0, count);


    /// <summary>TFLite's reference ResizeBilinear: the input coordinate is not clamped, its two neighbours are.</summary>
    private static float[] ResizeBilinear(float[] x, int[] shape, int outH, int outW, bool alignCorners, bool halfPixelCenters)
    {
        var (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3]);
        float scaleY = Scale(h, outH, alignCorners), scaleX = Scale(w, outW, alignCorners);
        var result = new float[n * outH * outW * c];
        for (int b = 0; b < n; b++)
        for (int y = 0; y < outH; y++)
        for (int xx = 0; xx < outW; xx++)
        {
            var (inY, y0, y1) = Interpolation(y, scaleY, halfPixelCenters, h);
            var (inX, x0, x1) = Interpolation(xx, scaleX, halfPixelCenters, w);
            for (int ch = 0; ch < c; ch++)
            {
                float At(int yy, int xi) => x[((b * h + yy) * w + xi) * c + ch];
                result[((b * outH + y) * outW + xx) * c + ch] =
                    At(y0, x0) * (1 - (inY - y0)) * (1 - (inX - x0)) + At(y1, x0) * (inY - y0) * (1 - (inX - x0)) +
                    At(y0, x1) * (1 - (inY - y0)) * (inX - x0) + At(y1, x1) * (inY - y0) * (inX - x0);
            }
        }
        return result;
    }

    private static (float Value, int Lower, int Upper) Interpolation(int index, float scale, bool halfPixelCenters, int size)
    {
        float value = halfPixelCenters ? (index + 0.5f) * scale - 0.5f : index * scale;
        return (value, Math.Max((int)MathF.Floor(value), 0), Math.Min((int)MathF.Ceiling(value), size - 1));
    }

    /// <summary>TFLite's reference ResizeNearestNeighbor (GetNearestNeighbor): floor, or round half away from zero with align_corners.</summary>
    private static float[] ResizeNearest(float[] x, int[] shape, int outH, int outW, bool alignCorners, bool halfPixelCenters)
    {
        var (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3]);
        var result = new float[n * outH * outW * c];
        for (int b = 0; b < n; b++)
        for (int y = 0; y < outH; y++)
        for (int xx = 0; xx < outW; xx++)
        {
            int inY = Nearest(y, h, outH, alignCorners, halfPixelCenters), inX = Nearest(xx, w, outW, alignCorners, halfPixelCenters);
            for (int ch = 0; ch < c; ch++)
            {
                result[((b * outH + y) * outW + xx) * c + ch] = x[((b * h + inY) * w + inX) * c + ch];
            }
        }
        return result;
    }

    private static int Nearest(int index, int inSize, int outSize, bool alignCorners, bool halfPixelCenters)
    {
        float scale = Scale(inSize, outSize, alignCorners);
        float offset = halfPixelCenters ? 0.5f : 0f;
        int value = Math.Min(alignCorners
            ? (int)MathF.Round((index + offset) * scale, MidpointRounding.AwayFromZero)
            : (int)MathF.Floor((index + offset) * scale), inSize - 1);
        return halfPixelCenters ? Math.Max(0, value) : value;
    }

    private static float Scale(int inSize, int outSize, bool alignCorners) =>
        alignCorners && outSize > 1 ? (inSize - 1) / (float)(outSize - 1) : inSize / (float)outSize;

    private static float[] Values(int count) => [.. Enumerable.Range(0, count).Select(_ => (float)(Random.NextDouble() * 2 - 1))];
}
