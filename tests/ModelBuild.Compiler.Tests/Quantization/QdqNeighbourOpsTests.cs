using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Quantization;

public sealed class QdqNeighbourOpsTests(ITestOutputHelper output)
{
    /// <summary>
    /// Conv → Relu → Conv, the residual Add of both, Concat, MaxPool → Conv: with the ops between the Convs in QDQ form
    /// ONNX Runtime runs the Add as QLinearAdd, the Concat as QLinearConcat and the MaxPool on uint8, so fewer Q/DQ nodes are left than with only the
    /// Convs quantized, and the outputs stay close.
    /// </summary>
    [Fact]
    public void Residual_add_between_int8_convs_becomes_QLinearAdd_with_fewer_qdq_nodes()
    {
        using var folder = new TempFolder();
        ModelProto model = ResidualNet();
        List<ConvSite> sites = ConvSite.Find(model);
        Assert.Equal(3, sites.Count);
        var image = Ort.RandomInputs(3, ("x", [1, 8, 16, 16]));
        var samples = SampleInputGenerator.Generate(model, 4, 0);
        var ranges = ConvCalibration.Run(model, sites, samples, Path.Combine(folder.Path, "calibration.onnx"), VerificationBudget.Default);
        var all = Enumerable.Range(0, sites.Count).ToHashSet();

        (ModelProto Fused, double Cosine) Quantize(bool neighbours)
        {
            ModelProto quantized = model.Clone();
            QdqConvRewriter.Apply(quantized, all, ranges, RangeMethod.MinMax, 127, neighbours);
            var fused = ModelProto.Parser.ParseFrom(OrtGraphOptimizer.Optimize(OnnxModelWriter.Serialize(quantized), folder.Path, OptimizationLevel.Extended));
            return (fused, Ort.Compare(model, quantized, image));
        }

        var convsOnly = Quantize(neighbours: false);
        var withNeighbours = Quantize(neighbours: true);

        static int Count(ModelProto m, params string[] ops) => m.Graph.Node.Count(n => ops.Contains(n.OpType));
        output.WriteLine($"Convs only: {string.Join(" ", convsOnly.Fused.Graph.Node.Select(n => n.OpType))}, cosine {convsOnly.Cosine}");
        output.WriteLine($"with neighbours: {string.Join(" ", withNeighbours.Fused.Graph.Node.Select(n => n.OpType))}, cosine {withNeighbours.Cosine}");
        Assert.Equal(3, Count(withNeighbours.Fused, "QLinearConv"));
        Assert.Equal(1, Count(withNeighbours.Fused, "QLinearAdd"));
        Assert.Equal(1, Count(withNeighbours.Fused, "QLinearConcat"));
        Assert.Equal(0, Count(withNeighbours.Fused, "Add", "Concat"));
        Assert.Equal(0, Count(convsOnly.Fused, "QLinearAdd"));
        Assert.True(Count(withNeighbours.Fused, "QuantizeLinear", "DequantizeLinear") < Count(convsOnly.Fused, "QuantizeLinear", "DequantizeLinear"));
        Assert.True(withNeighbours.Cosine >= 0.99, $"cosine {withNeighbours.Cosine}");
    }

    /// <summary>
    /// The plan for the residual net: the Add's and the Concat's results are quantized, the Concat's at the MaxPool's
    /// output scale (Conv c's calibrated input) so that MaxPool passes uint8 through; the Sigmoid makes a graph output
    /// and stays float. A Transpose after Conv c that only a Softsign (no uint8 form) reads
    /// gets no QDQ: it would only add a Q/DQ pair.
    /// </summary>
    [Fact]
    public void Pass_through_ops_share_a_scale_and_chains_ending_in_float_ops_stay_float()
    {
        ModelProto model = ResidualNet();
        var graph = model.Graph;
        graph.Output.Add(TestModels.FloatValue("z", 1, 8, 8, 8));
        graph.Node.Add(OnnxBuilder.Node("Transpose", "transpose", ["c"], ["t"], OnnxBuilder.Ints("perm", 0, 1, 3, 2)));
        graph.Node.Add(OnnxBuilder.Node("Softsign", "soft", ["t"], ["z"]));

        var plan = QdqNeighbourOps.Find(model, ConvSite.Find(model));

        Assert.Equal(["sum", "cat"], plan.Tensors);
        Assert.Equal("pooled", plan.RangeOf("cat"));
        Assert.Equal("sum", plan.RangeOf("sum"));
    }

    /// <summary>
    /// A learnable affine block between Convs (Mul by a scalar, Add a scalar; the next Conv is padded, so it cannot be
    /// folded): both scalars are read through a DequantizeLinear that gives them back exactly, and ONNX Runtime runs
    /// both as QLinearMul and QLinearAdd.
    /// </summary>
    [Fact]
    public void Scalar_affine_between_int8_convs_runs_as_QLinearMul_and_QLinearAdd()
    {
        using var folder = new TempFolder();
        var graph = new GraphProto { Name = "affine" };
        graph.Input.Add(TestModels.FloatValue("x", 1, 8, 16, 16));
        graph.Output.Add(TestModels.FloatValue("y", 1, 8, 16, 16));
        var random = new Random(9);
        foreach (string conv in new[] { "a", "b" })
        {
            graph.Initializer.Add(OnnxBuilder.Floats($"{conv}_w", [8, 8, 3, 3], [.. Enumerable.Range(0, 8 * 8 * 9).Select(_ => (float)(random.NextDouble() - 0.5) / 4)]));
        }

        graph.Initializer.Add(OnnxBuilder.Floats("scale", [1], [-0.75f]));
        graph.Initializer.Add(OnnxBuilder.Floats("shift", [], [0.3f]));
        var pads = OnnxBuilder.Ints("pads", 1, 1, 1, 1);
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_a", ["x", "a_w"], ["a"], pads));
        graph.Node.Add(OnnxBuilder.Node("Relu", "relu_a", ["a"], ["r"]));
        graph.Node.Add(OnnxBuilder.Node("Mul", "affine_scale", ["scale", "r"], ["scaled"]));
        graph.Node.Add(OnnxBuilder.Node("Add", "affine_shift", ["scaled", "shift"], ["shifted"]));
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_b", ["shifted", "b_w"], ["b"], pads));
        graph.Node.Add(OnnxBuilder.Node("Sigmoid", "sigmoid", ["b"], ["y"]));
        ModelProto model = OnnxBuilder.Model(graph, opset: 13);
        List<ConvSite> sites = ConvSite.Find(model);
        Assert.Equal(2, QdqNeighbourOps.Find(model, sites).Constants.Count);
        var ranges = ConvCalibration.Run(model, sites, SampleInputGenerator.Generate(model, 4, 0), Path.Combine(folder.Path, "calibration.onnx"), VerificationBudget.Default);

        ModelProto quantized = model.Clone();
        QdqConvRewriter.Apply(quantized, new HashSet<int> { 0, 1 }, ranges, RangeMethod.MinMax, 127, neighbours: true);

        Assert.DoesNotContain(quantized.Graph.Initializer, t => t.Name is "scale" or "shift");
        var fused = ModelProto.Parser.ParseFrom(OrtGraphOptimizer.Optimize(OnnxModelWriter.Serialize(quantized), folder.Path, OptimizationLevel.Extended));
        output.WriteLine(string.Join(" ", fused.Graph.Node.Select(n => n.OpType)));
        Assert.Equal(["QLinearConv", "QLinearMul", "QLinearAdd", "QLinearConv"], fused.Graph.Node.Select(n => n.OpType).Where(op => op.StartsWith("QLinear", StringComparison.Ordinal)));
        Assert.DoesNotContain(fused.Graph.Node, n => n.OpType is "Mul" or "Add");
        double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(4, ("x", [1, 8, 16, 16])));
        Assert.True(cosine >= 0.999, $"cosine {cosine}");
    }

    /// <summary>x → Conv a → Relu (r) → Conv b (b); sum = r + b; cat = Concat(sum, r); MaxPool 2×2 (pooled) → Conv c → Sigmoid → y.</summary>
    private static ModelProto ResidualNet()
    {
        var graph = new GraphProto { Name = "residual" };
        graph.Input.Add(TestModels.FloatValue("x", 1, 8, 16, 16));
        graph.Output.Add(TestModels.FloatValue("y", 1, 8, 8, 8));
        var random = new Random(5);
        foreach (var (conv, inputs) in new[] { ("a", 8), ("b", 8), ("c", 16) })
        {
            graph.Initializer.Add(OnnxBuilder.Floats($"{conv}_w", [8, inputs, 3, 3], [.. Enumerable.Range(0, 8 * inputs * 9).Select(_ => (float)(random.NextDouble() - 0.5) / 4)]));
            graph.Initializer.Add(OnnxBuilder.Floats($"{conv}_b", [8], [.. Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() - 0.5) / 10)]));
        }

        var pads = OnnxBuilder.Ints("pads", 1, 1, 1, 1);
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_a", ["x", "a_w", "a_b"], ["a"], pads));
        graph.Node.Add(OnnxBuilder.Node("Relu", "relu_a", ["a"], ["r"]));
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_b", ["r", "b_w", "b_b"], ["b"], pads));
        graph.Node.Add(OnnxBuilder.Node("Add", "residual", ["r", "b"], ["sum"]));
        graph.Node.Add(OnnxBuilder.Node("Concat", "concat", ["sum", "r"], ["cat"], OnnxBuilder.Int("axis", 1)));
        graph.Node.Add(OnnxBuilder.Node("MaxPool", "pool", ["cat"], ["pooled"], OnnxBuilder.Ints("kernel_shape", 2, 2), OnnxBuilder.Ints("strides", 2, 2)));
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_c", ["pooled", "c_w", "c_b"], ["c"], pads));
        graph.Node.Add(OnnxBuilder.Node("Sigmoid", "sigmoid", ["c"], ["y"]));
        return OnnxBuilder.Model(graph, opset: 13);
    }
}
