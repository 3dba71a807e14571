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
}
