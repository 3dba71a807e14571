using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// ONNX Runtime quantizes a float Conv that reads a DequantizeLinear and feeds a QuantizeLinear when it loads a model
/// (WeightBiasQuantization, with a Round node for the bias): the rewriter must leave no such Conv, or a Conv the search
/// kept fp32 runs int8 anyway (per tensor) and an opset-10 model (PP-OCRv4 rec, raised from 9) fails to load.
/// </summary>
public sealed class QdqLayoutTests(ITestOutputHelper output)
{
    /// <summary>
    /// a → Relu → b → Relu → c with only a and c asked for, opset 10: b sits between two int8 tensors, so it is written
    /// int8 per channel; the model loads (no Round from ONNX Runtime) and runs three QLinearConvs.
    /// </summary>
    [Fact]
    public void Conv_between_two_int8_convs_is_written_int8_and_an_opset_10_model_loads()
    {
        using var folder = new TempFolder();
        ModelProto model = Chain(opset: 10);
        List<ConvSite> sites = ConvSite.Find(model);
        var ranges = ConvCalibration.Run(model, sites, SampleInputGenerator.Generate(model, 4, 0), Path.Combine(folder.Path, "calibration.onnx"), VerificationBudget.Default);

        ModelProto quantized = model.Clone();
        var layout = QdqConvRewriter.Apply(quantized, new HashSet<int> { 0, 2 }, ranges, RangeMethod.MinMax, 63);

        Assert.Equal([0, 1, 2], layout.Convs.Order());
        Assert.Equal([1], layout.Between);
        var fused = ModelProto.Parser.ParseFrom(OrtGraphOptimizer.Optimize(OnnxModelWriter.Serialize(quantized), folder.Path, OptimizationLevel.Extended));
        output.WriteLine(string.Join(" ", fused.Graph.Node.Select(n => n.OpType)));
        Assert.DoesNotContain(fused.Graph.Node, n => n.OpType is "Round" or "Conv" or "FusedConv");
        Assert.Equal(3, fused.Graph.Node.Count(n => n.OpType == "QLinearConv"));
        double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(2, ("x", [1, 8, 16, 16])));
        Assert.True(cosine >= 0.99, $"cosine {cosine}");
    }

    /// <summary>
    /// a → Relu → ConvTranspose t → c with a and c asked for: t has no int8 form here and ONNX Runtime would quantize it
    /// per tensor between the two int8 Convs, so c goes back to fp32 and t stays float on load.
    /// </summary>
    [Fact]
    public void Conv_after_a_float_conv_transpose_between_int8_tensors_is_given_back()
    {
        using var folder = new TempFolder();
        var graph = Graph("transpose", ["a", "t", "c"]);
        var pads = OnnxBuilder.Ints("pads", 1, 1, 1, 1);
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_a", ["x", "a_w", "a_b"], ["a"], pads));
        graph.Node.Add(OnnxBuilder.Node("Relu", "relu_a", ["a"], ["ra"]));
        graph.Node.Add(OnnxBuilder.Node("ConvTranspose", "up", ["ra", "t_w", "t_b"], ["t"], pads));
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_c", ["t", "c_w", "c_b"], ["c"], pads));
        graph.Node.Add(OnnxBuilder.Node("Sigmoid", "sigmoid", ["c"], ["y"]));
        ModelProto model = OnnxBuilder.Model(graph, opset: 13);
        List<ConvSite> sites = ConvSite.Find(model);
        Assert.Equal(2, sites.Count);
        var ranges = ConvCalibration.Run(model, sites, SampleInputGenerator.Generate(model, 4, 0), Path.Combine(folder.Path, "calibration.onnx"), VerificationBudget.Default);

        ModelProto quantized = model.Clone();
        var layout = QdqConvRewriter.Apply(quantized, new HashSet<int> { 0, 1 }, ranges, RangeMethod.MinMax, 63);

        Assert.Equal([0], layout.Convs);
        var fused = ModelProto.Parser.ParseFrom(OrtGraphOptimizer.Optimize(OnnxModelWriter.Serialize(quantized), folder.Path, OptimizationLevel.Extended));
        output.WriteLine(string.Join(" ", fused.Graph.Node.Select(n => n.OpType)));
        Assert.Single(fused.Graph.Node, n => n.OpType == "QLinearConv");
        Assert.Single(fused.Graph.Node, n => n.OpType == "ConvTranspose");
        Assert.DoesNotContain(fused.Graph.Node, n => n.OpType is "Round" or "QLinearConvTranspose");
    }

    /// <summary>x → Conv a → Relu → Conv b → Relu → Conv c → Sigmoid → y, 8 channels, padded 3×3.</summary>
    private static ModelProto Chain(int opset)
    {
        var graph = Graph("chain", ["a", "b", "c"]);
        var pads = OnnxBuilder.Ints("pads", 1, 1, 1, 1);
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_a", ["x", "a_w", "a_b"], ["a"], pads));
        graph.Node.Add(OnnxBuilder.Node("Relu", "relu_a", ["a"], ["ra"]));
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_b", ["ra", "b_w", "b_b"], ["b"], pads));
        graph.Node.Add(OnnxBuilder.Node("Relu", "relu_b", ["b"], ["rb"]));
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv_c", ["rb", "c_w", "c_b"], ["c"], pads));
        graph.Node.Add(OnnxBuilder.Node("Sigmoid", "sigmoid", ["c"], ["y"]));
        return OnnxBuilder.Model(graph, opset);
    }

    private static GraphProto Graph(string name, string[] convs)
    {
        var graph = new GraphProto { Name = name };
        graph.Input.Add(TestModels.FloatValue("x", 1, 8, 16, 16));
        graph.Output.Add(TestModels.FloatValue("y", 1, 8, 16, 16));
        var random = new Random(11);
        foreach (string conv in convs)
        {
            graph.Initializer.Add(OnnxBuilder.Floats($"{conv}_w", [8, 8, 3, 3], [.. Enumerable.Range(0, 8 * 8 * 9).Select(_ => (float)(random.NextDouble() - 0.5) / 4)]));
            graph.Initializer.Add(OnnxBuilder.Floats($"{conv}_b", [8], [.. Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() - 0.5) / 10)]));
        }

        return graph;
    }
}
