using ModelBuild.Compiler.Quantization;
using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// The float rewrites static int8 makes around Convs (PP-OCRv4 det's structure: constant-first affine Mul/Add after a
/// Conv, hard-swish spelled as Add/Clip/Mul/Div) keep the model's function and leave fewer passes over feature maps.
/// </summary>
public sealed class ConvGraphSimplificationTests
{
    /// <summary>
    /// x → Mul(0.5) → Conv 3×3 padded (bias) → Mul(scale[1,6,1,1], ·) → Add(shift[6,1,1], ·) → x·Clip(x+3, 0, 6)/6 →
    /// Mul(1.5) → Add(−0.25) → Conv 1×1 (no bias) → Mul(2, ·) → y, plus a Mul by a constant that varies along width.
    /// Folded: the affine after each Conv and the scalar affine before the 1×1 Conv; kept: the Mul before the padded
    /// Conv (its border would change) and the Mul along width (not per channel).
    /// </summary>
    private static ModelProto PaddleStyleBlock()
    {
        var graph = new GraphProto { Name = "block" };
        graph.Input.Add(TestModels.FloatValue("x", 1, 4, 8, 8));
        graph.Output.Add(TestModels.FloatValue("y", 1, 5, 8, 8));
        graph.Initializer.Add(TestModels.Weight("w1", 1, 6, 4, 3, 3));
        graph.Initializer.Add(TestModels.Weight("b1", 2, 6));
        graph.Initializer.Add(Floats("scale", [1, 6, 1, 1], [0.5f, 2f, -1f, 1.5f, 0.25f, 3f]));
        graph.Initializer.Add(Floats("shift", [6, 1, 1], [1f, -2f, 0.5f, 3f, -0.25f, 0f]));
        graph.Initializer.Add(Scalar("three", 3f));
        graph.Initializer.Add(Scalar("zero", 0f));
        graph.Initializer.Add(Scalar("six", 6f));
        graph.Initializer.Add(TestModels.Weight("w2", 3, 5, 6, 1, 1));
        graph.Initializer.Add(Scalar("two", 2f));
        graph.Initializer.Add(Floats("along_width", [1, 1, 1, 8], [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f]));
        graph.Initializer.Add(Scalar("half", 0.5f));
        graph.Initializer.Add(Floats("lab_scale", [1], [1.5f]));
        graph.Initializer.Add(Scalar("lab_shift", -0.25f));
        graph.Node.Add(Node("Mul", "pre_scale", ["x", "half"], ["x_half"]));
        graph.Node.Add(Node("Conv", "conv1", ["x_half", "w1", "b1"], ["c1"], Ints("pads", 1, 1, 1, 1)));
        graph.Node.Add(Node("Mul", "affine_scale", ["scale", "c1"], ["scaled"]));
        graph.Node.Add(Node("Add", "affine_shift", ["shift", "scaled"], ["shifted"]));
        graph.Node.Add(Node("Add", "hs_add", ["shifted", "three"], ["hs_plus"]));
        graph.Node.Add(Node("Clip", "hs_clip", ["hs_plus", "zero", "six"], ["hs_clipped"]));
        graph.Node.Add(Node("Mul", "hs_mul", ["shifted", "hs_clipped"], ["hs_product"]));
        graph.Node.Add(Node("Div", "hs_div", ["hs_product", "six"], ["hs"]));
        graph.Node.Add(Node("Mul", "lab_mul", ["lab_scale", "hs"], ["lab_scaled"]));
        graph.Node.Add(Node("Add", "lab_add", ["lab_scaled", "lab_shift"], ["lab"]));
        graph.Node.Add(Node("Conv", "conv2", ["lab", "w2"], ["c2"]));
        graph.Node.Add(Node("Mul", "double", ["two", "c2"], ["doubled"]));
        graph.Node.Add(Node("Mul", "ramp", ["doubled", "along_width"], ["y"]));
        return Model(graph, opset: 13);
    }

    [Fact]
    public void Affine_after_conv_folds_and_hard_swish_becomes_HardSigmoid_times_x_with_the_same_outputs()
    {
        ModelProto original = PaddleStyleBlock();
        ModelProto rewritten = original.Clone();

        int folded = ConvAffineFolding.Apply(rewritten);
        int hardSwishes = HardSwishFusion.Apply(rewritten);

        Assert.Equal(5, folded);
        Assert.Equal(1, hardSwishes);
        Assert.Equal(["Mul", "Conv", "HardSigmoid", "Mul", "Conv", "Mul"], rewritten.Graph.Node.Select(n => n.OpType));
        Assert.Equal("along_width", rewritten.Graph.Node[^1].Input[1]); // not per channel: kept
        Assert.DoesNotContain(rewritten.Graph.Initializer, t => t.Name is "scale" or "shift" or "three" or "six" or "two" or "lab_scale" or "lab_shift" or "w1" or "b1" or "w2");
        var inputs = Ort.RandomInputs(11, ("x", [1, 4, 8, 8]));
        var expected = Ort.Run(original, inputs).Single().Values;
        var actual = Ort.Run(rewritten, inputs).Single().Values;
        float largest = expected.Max(MathF.Abs);
        Assert.All(expected.Zip(actual), p => Assert.True(MathF.Abs(p.First - p.Second) <= 1e-5f * largest, $"{p.First} vs {p.Second}"));
    }

    /// <summary>
    /// A scalar Mul then Add before a padded depthwise Conv (PP-LCNetV3's learnable affine block), and the scalar Mul
    /// before the padded Conv of the block above: each becomes one depthwise 1×1 Conv, and the outputs stay the same at
    /// the border too (folding the shift into the padded Conv's bias would change the border).
    /// </summary>
    [Fact]
    public void Scalar_affine_before_a_padded_conv_becomes_a_depthwise_1x1_conv_with_the_same_outputs()
    {
        var graph = new GraphProto { Name = "affine_before_depthwise" };
        graph.Input.Add(TestModels.FloatValue("x", 1, 6, 8, 8));
        graph.Output.Add(TestModels.FloatValue("y", 1, 6, 8, 8));
        graph.Initializer.Add(Floats("s", [1], [1.75f]));
        graph.Initializer.Add(Floats("t", [1], [-0.5f]));
        graph.Initializer.Add(TestModels.Weight("dw", 4, 6, 1, 3, 3));
        graph.Node.Add(Node("Mul", "lab_mul", ["s", "x"], ["scaled"]));
        graph.Node.Add(Node("Add", "lab_add", ["scaled", "t"], ["shifted"]));
        graph.Node.Add(Node("Conv", "depthwise", ["shifted", "dw"], ["y"], Ints("pads", 1, 1, 1, 1), Int("group", 6)));
        ModelProto[] originals = [Model(graph, opset: 13), PaddleStyleBlock()];
        int[] expectedReplaced = [2, 1];
        string[][] expectedOps = [["Conv", "Conv"], ["Conv", "Conv", "HardSigmoid", "Mul", "Conv", "Mul"]];

        for (int m = 0; m < originals.Length; m++)
        {
            ModelProto rewritten = originals[m].Clone();
            ConvAffineFolding.Apply(rewritten);
            int replaced = ScalarAffineAsConv.Apply(rewritten);
            HardSwishFusion.Apply(rewritten);

            Assert.Equal(expectedReplaced[m], replaced);
            Assert.Equal(expectedOps[m], rewritten.Graph.Node.Select(n => n.OpType));
            NodeProto affine = rewritten.Graph.Node[0];
            Assert.Equal(rewritten.Graph.Node[1].Input[0], affine.Output[0]);
            Assert.Equal(originals[m].Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue, affine.Attribute.Single(a => a.Name == "group").I);
            Assert.DoesNotContain(ConvSite.Find(rewritten), site => ReferenceEquals(site.Node, affine));
            string shape = string.Join(",", originals[m].Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue));
            var inputs = Ort.RandomInputs(12, ("x", [.. originals[m].Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => (int)d.DimValue)]));
            var expected = Ort.Run(originals[m], inputs).Single().Values;
            var actual = Ort.Run(rewritten, inputs).Single().Values;
            float largest = expected.Max(MathF.Abs);
            Assert.All(expected.Zip(actual), p => Assert.True(MathF.Abs(p.First - p.Second) <= 1e-5f * largest, $"{shape}: {p.First} vs {p.Second}"));
        }
    }
}
