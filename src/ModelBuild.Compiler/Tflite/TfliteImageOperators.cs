using ModelBuild.Compiler.Tflite.Schema;
using ModelBuild.Onnx.Protos;
using static ModelBuild.Compiler.Tflite.TfliteOps;

namespace ModelBuild.Compiler.Tflite;

/// <summary>
/// The TFLite image operators that change the spatial layout (resizes, transposed convolution, mirror padding,
/// depth/space rearrangements), each as ONNX nodes with TFLite's exact index arithmetic.
/// </summary>
internal static class TfliteImageOperators
{
    /// <summary>
    /// RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR. TFLite maps output index x to input coordinate x·scale (scale =
    /// in/out), (x + ½)·scale − ½ with half_pixel_centers, or x·(in−1)/(out−1) with align_corners: ONNX's
    /// asymmetric, half_pixel and align_corners. Nearest takes floor(x·scale) by default and rounds half up
    /// otherwise (floor((x + ½)·scale) = round-half-up of the half_pixel coordinate): ONNX floor / round_prefer_ceil.
    /// </summary>
    public static void Resize(TfliteOperator op, bool nearest)
    {
        var (alignCorners, halfPixel) = nearest
            ? op.Options<ResizeNearestNeighborOptions>(BuiltinOptions.ResizeNearestNeighborOptions) is { } n ? (n.AlignCorners, n.HalfPixelCenters) : default
            : op.Options<ResizeBilinearOptions>(BuiltinOptions.ResizeBilinearOptions) is { } l ? (l.AlignCorners, l.HalfPixelCenters) : default;
        if (alignCorners && halfPixel)
        {
            throw op.Unsupported("align_corners together with half_pixel_centers (TensorFlow rejects the pair)");
        }
        int[] shape = TfliteTensors.Signature(op.InputTensor(0));
        long[] size = op.Ints(1, "size");
        if (shape.Length != 4 || size.Length != 2)
        {
            throw op.Unsupported($"an input of rank {shape.Length} or a size of {size.Length} values (NHWC and [height, width] expected)");
        }
        if (size.Any(s => s <= 0))
        {
            throw op.Builder.Converter.Invalid($"{op.Code} operator {op.Index} resizes to [{string.Join(",", size)}]");
        }
        TfliteGraphBuilder b = op.Builder;
        string input = b.Nchw(op.In(0));
        // ONNX opset 13 takes sizes for every axis: batch and channels stay as they are.
        string sizes = shape[0] >= 0 && shape[3] >= 0
            ? b.Int64s([shape[0], shape[3], size[0], size[1]])
            : b.Node("Concat", [b.Node("Slice", [b.Node("Shape", [input], b.Temp("shape")), b.Int64s([0]), b.Int64s([2])], b.Temp("batch_channels")),
                b.Int64s(size)], b.Temp("sizes"), [Int("axis", 0)]);
        string coordinates = alignCorners ? "align_corners" : halfPixel ? "half_pixel" : "asymmetric";
        List<AttributeProto> attributes = [String("mode", nearest ? "nearest" : "linear"), String("coordinate_transformation_mode", coordinates)];
        if (nearest)
        {
            attributes.Add(String("nearest_mode", alignCorners || halfPixel ? "round_prefer_ceil" : "floor"));
        }
        b.WriteNhwc(b.Node("Resize", [input, "", "", sizes], b.Temp("resized_nchw"), [.. attributes]), op.Out());
    }

    /// <summary>
    /// TRANSPOSE_CONV (inputs: output shape, OHWI filter, NHWC input, optional bias) as ConvTranspose. TFLite pads as if
    /// the output were a convolution's input: the leading pad is half of max((n − 1)·stride + k − out, 0), with n the
    /// size a SAME/VALID convolution of the output would have; the trailing pad is what makes the output its given size.
    /// </summary>
    public static void TransposeConv(TfliteOperator op)
    {
        TransposeConvOptions? options = op.Options<TransposeConvOptions>(BuiltinOptions.TransposeConvOptions);
        Padding padding = options?.Padding ?? Padding.SAME;
        int[] strides = [options?.StrideH ?? 1, options?.StrideW ?? 1];
        long[] output = op.Ints(0, "output shape");
        int[] filter = TfliteTensors.Shape(op.InputTensor(1)), input = TfliteTensors.Shape(op.InputTensor(2));
        if (output.Length != 4 || filter.Length != 4 || input.Length != 4 || filter[3] != input[3] || filter[0] != output[3]
            || strides.Any(s => s <= 0) || output.Skip(1).Any(d => d <= 0) || filter.Any(d => d <= 0))
        {
            throw op.Unsupported($"an output shape [{string.Join(",", output)}], filter [{string.Join(",", filter)}] and input " +
                $"[{string.Join(",", input)}] that are not one NHWC transposed convolution with positive sizes and strides");
        }
        long[] begin = new long[2], end = new long[2], extra = new long[2];
        for (int axis = 0; axis < 2; axis++)
        {
            long size = output[axis + 1], kernel = filter[axis + 1], stride = strides[axis];
            long convolved = padding == Padding.SAME ? (size + stride - 1) / stride : (size - kernel + stride) / stride;
            begin[axis] = Math.Max((convolved - 1) * stride + kernel - size, 0) / 2;
            // A dynamic input size (-1 in the signature) is the one TFLite's padding assumes.
            long inputSize = TfliteTensors.Signature(op.InputTensor(2))[axis + 1] is >= 0 and var known ? known : convolved;
            long trailing = stride * (inputSize - 1) + kernel - begin[axis] - size;
            // A negative trailing pad means the output reaches past the last input's footprint: zeros (plus bias) there.
            (end[axis], extra[axis]) = trailing >= 0 ? (trailing, 0L) : (0L, -trailing);
            if (extra[axis] >= stride)
            {
                throw op.Unsupported($"an output size {size} that the input size {inputSize} cannot produce");
            }
        }
        TfliteGraphBuilder b = op.Builder;
        // OHWI becomes ConvTranspose's [in, out, H, W].
        string weights = b.PermutedConstant(op.Input(1), [3, 0, 1, 2]);
        string[] inputs = op.Has(3) ? [b.Nchw(op.In(2)), weights, op.In(3)] : [b.Nchw(op.In(2)), weights];
        string nchw = b.Node("ConvTranspose", inputs, b.Temp("transposed_conv_nchw"),
            [Ints("strides", [strides[0], strides[1]]), Ints("pads", [begin[0], begin[1], end[0], end[1]]), Ints("output_padding", extra)]);
        if (options?.FusedActivationFunction is { } activation and not ActivationFunctionType.NONE)
        {
            nchw = TfliteOperators.Activate(op, nchw, activation, b.Temp("activated_nchw"));
        }
        b.WriteNhwc(nchw, op.Out());
    }

    /// <summary>
    /// MIRROR_PAD. REFLECT (the border not repeated) is ONNX Pad's reflect mode. SYMMETRIC repeats the border, which
    /// ONNX Pad has no mode for: each padded axis becomes Concat(reversed leading slice, x, reversed trailing slice),
    /// axis after axis, which is how TFLite fills the corners too.
    /// </summary>
    public static void MirrorPad(TfliteOperator op)
    {
        MirrorPadMode mode = op.Options<MirrorPadOptions>(BuiltinOptions.MirrorPadOptions)?.Mode ?? MirrorPadMode.REFLECT;
        long[] paddings = op.Ints(1, "paddings"); // [rank, 2]: before and after per axis
        if (paddings.Length != 2 * op.Rank(0) || paddings.Any(p => p < 0))
        {
            throw op.Unsupported($"paddings [{string.Join(",", paddings)}] that are not a non-negative [rank, 2] list");
        }
        int[] shape = TfliteTensors.Signature(op.InputTensor(0));
        long border = mode == MirrorPadMode.REFLECT ? 1 : 0;
        if (paddings.Select((p, i) => shape[i / 2] >= 0 && p > shape[i / 2] - border).Any(tooLarge => tooLarge))
        {
            throw op.Builder.Converter.Invalid($"MIRROR_PAD operator {op.Index} pads [{string.Join(",", paddings)}] beyond what its {mode} mode " +
                $"can mirror from shape [{string.Join(",", shape)}]");
        }
        TfliteGraphBuilder b = op.Builder;
        if (mode == MirrorPadMode.REFLECT)
        {
            long[] pads = [.. paddings.Where((_, i) => i % 2 == 0), .. paddings.Where((_, i) => i % 2 == 1)];
            b.Node("Pad", [op.In(0), b.Int64s(pads)], op.Out(), [String("mode", "reflect")]);
            return;
        }
        int[] padded = [.. Enumerable.Range(0, paddings.Length / 2).Where(axis => paddings[2 * axis] > 0 || paddings[2 * axis + 1] > 0)];
        string value = op.In(0);
        if (padded.Length == 0)
        {
            b.Node("Identity", [value], op.Out());
        }
        foreach (int axis in padded)
        {
            long before = paddings[2 * axis], after = paddings[2 * axis + 1];
            var parts = new List<string>();
            if (before > 0)
            {
                parts.Add(Reversed(b, value, axis, start: before - 1, end: long.MinValue)); // x[before-1 ... 0]
            }
            parts.Add(value);
            if (after > 0)
            {
                parts.Add(Reversed(b, value, axis, start: -1, end: -after - 1)); // x[n-1 ... n-after]
            }
            value = b.Node("Concat", [.. parts], axis == padded[^1] ? op.Out() : b.Temp("mirrored"), [Int("axis", axis)]);
        }
    }

    private static string Reversed(TfliteGraphBuilder b, string value, int axis, long start, long end) =>
        b.Node("Slice", [value, b.Int64s([start]), b.Int64s([end]), b.Int64s([axis]), b.Int64s([-1])], b.Temp("mirror"));

    /// <summary>
    /// DEPTH_TO_SPACE / SPACE_TO_DEPTH. TFLite's NHWC channel order (block row, block column, channel) is ONNX's NCHW
    /// DepthToSpace in DCR mode and SpaceToDepth.
    /// </summary>
    public static void DepthSpace(TfliteOperator op, bool toSpace)
    {
        int? block = toSpace
            ? op.Options<DepthToSpaceOptions>(BuiltinOptions.DepthToSpaceOptions)?.BlockSize
            : op.Options<SpaceToDepthOptions>(BuiltinOptions.SpaceToDepthOptions)?.BlockSize;
        if (block is not > 0 || op.Rank(0) != 4)
        {
            throw op.Unsupported($"a block size of {block?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} or an input that is not NHWC");
        }
        TfliteGraphBuilder b = op.Builder;
        List<AttributeProto> attributes = [Int("blocksize", block.Value)];
        if (toSpace)
        {
            attributes.Add(String("mode", "DCR"));
        }
        b.WriteNhwc(b.Node(toSpace ? "DepthToSpace" : "SpaceToDepth", [b.Nchw(op.In(0))], b.Temp("rearranged_nchw"), [.. attributes]), op.Out());
    }
}
