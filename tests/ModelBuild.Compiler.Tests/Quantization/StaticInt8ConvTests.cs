using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using ModelZoo.Models;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Quantization;

public sealed class StaticInt8ConvTests(ITestOutputHelper output)
{
    /// <summary>Every Conv quantized with calibrated ranges: ONNX Runtime fuses each into QLinearConv, outputs stay close.</summary>
    [Theory]
    [InlineData(63)]
    [InlineData(127)]
    public void Conv_net_qdq_fuses_into_QLinearConv_and_stays_close(int qmax)
    {
        using var folder = new TempFolder();
        ModelProto model = ConvNetModel.Build(ConvNetConfig.Full);
        var samples = SampleInputGenerator.Generate(model, 4, 0);
        List<ConvSite> sites = ConvSite.Find(model);
        Assert.Equal(8, sites.Count);
        Assert.All(sites, s => Assert.NotEqual(s.Node.Output[0], s.OutputPoint)); // each Conv is followed by its Relu
        var ranges = ConvCalibration.Run(model, sites, samples, Path.Combine(folder.Path, "calibration.onnx"), VerificationBudget.Default);

        ModelProto quantized = model.Clone();
        QdqConvRewriter.Apply(quantized, Enumerable.Range(0, sites.Count).ToHashSet(), ranges, RangeMethod.MinMax, qmax);
        Assert.Equal(8, quantized.Graph.Node.Count(n => n.OpType == "Conv"));
        Assert.DoesNotContain(quantized.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Float && t.Dims.Count == 4);

        ModelProto fused = ModelProto.Parser.ParseFrom(OrtGraphOptimizer.Optimize(OnnxModelWriter.Serialize(quantized), folder.Path, OptimizationLevel.Extended));
        Assert.Equal(8, fused.Graph.Node.Count(n => n.OpType == "QLinearConv"));
        Assert.DoesNotContain(fused.Graph.Node, n => n.OpType is "Conv" or "Relu");

        var image = Ort.RandomInputs(5, ("image", [1, 3, ConvNetConfig.ImageSize, ConvNetConfig.ImageSize]));
        foreach (var t in image.Values) for (int i = 0; i < t.Length; i++) t.SetValue(i, (t.GetValue(i) + 1) / 2); // image-like [0, 1)
        double cosine = Ort.Compare(model, quantized, image);
        output.WriteLine($"qmax {qmax}: cosine {cosine}");
        Assert.True(cosine >= 0.99, $"cosine {cosine}");
    }

    /// <summary>
    /// A channel with near-zero weights and a large bias (as BatchNorm folding leaves, PP-OCRv4 det's SE blocks) needs
    /// a bias code past int32 at input_scale × weight_scale: its weight scale grows instead of the bias being clipped.
    /// </summary>
    [Fact]
    public void A_large_bias_over_near_zero_weights_is_not_clipped()
    {
        using var folder = new TempFolder();
        var graph = new GraphProto { Name = "bias" };
        graph.Input.Add(TestModels.FloatValue("x", 1, 2, 4, 4));
        graph.Output.Add(TestModels.FloatValue("y", 1, 2, 4, 4));
        graph.Initializer.Add(OnnxBuilder.Floats("w", [2, 2, 1, 1], [1e-9f, -1e-9f, 0.5f, -0.5f]));
        graph.Initializer.Add(OnnxBuilder.Floats("b", [2], [100f, 0.1f]));
        graph.Node.Add(OnnxBuilder.Node("Conv", "conv", ["x", "w", "b"], ["y"]));
        ModelProto model = OnnxBuilder.Model(graph, opset: 13);
        List<ConvSite> sites = ConvSite.Find(model);
        var ranges = ConvCalibration.Run(model, sites, SampleInputGenerator.Generate(model, 2, 0), Path.Combine(folder.Path, "calibration.onnx"), VerificationBudget.Default);

        ModelProto quantized = model.Clone();
        QdqConvRewriter.Apply(quantized, new HashSet<int> { 0 }, ranges, RangeMethod.MinMax, 63);

        double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(3, ("x", [1, 2, 4, 4])));
        Assert.True(cosine >= 0.999, $"cosine {cosine}");
    }

    /// <summary>
    /// The whole decision on the zoo conv net: either the Convs are int8, the model has QDQ and stays within the target
    /// cosine, or every Conv is fp32 and the reason carries this machine's measured latencies.
    /// </summary>
    [Fact]
    public void Conv_net_is_quantized_only_when_accurate_and_faster_here()
    {
        using var folder = new TempFolder();
        ModelProto model = ConvNetModel.Build(ConvNetConfig.Full);
        string original = Path.Combine(folder.Path, "conv-net.onnx");
        OnnxModelWriter.WriteFile(model, original);
        var samples = SampleInputGenerator.Generate(model, 4, 0);
        ModelProto variant = model.Clone();

        QuantizationResult result = StaticInt8ConvQuantizer.Apply(variant, original, samples, minCosine: 0.99, qmax: 63, Path.Combine(folder.Path, "work"), VerificationBudget.Default);

        output.WriteLine(string.Join("\n", result.KeptReasons));
        if (result.QuantizedNodes > 0)
        {
            Assert.Equal(8, result.QuantizedNodes);
            Assert.StartsWith("Conv: 8 of 8 int8 (static QDQ", result.KeptReasons[0]);
            Assert.Contains(variant.Graph.Node, n => n.OpType == "QuantizeLinear");
            var image = Ort.RandomInputs(9, ("image", [1, 3, ConvNetConfig.ImageSize, ConvNetConfig.ImageSize]));
            foreach (var t in image.Values) for (int i = 0; i < t.Length; i++) t.SetValue(i, (t.GetValue(i) + 1) / 2);
            Assert.True(Ort.Compare(model, variant, image) >= 0.99);
        }
        else
        {
            Assert.Equal(8, result.KeptNodes);
            Assert.Matches(@"^Conv: 8 nodes kept fp32 \(static int8 not faster on this machine \([a-z0-9_ ]+\): \d+\.\d\dx, [\d.]+ ms vs [\d.]+ ms with fp32 Convs, cosine 0\.99\d+\)$", Assert.Single(result.KeptReasons));
            Assert.DoesNotContain(variant.Graph.Node, n => n.OpType == "QuantizeLinear");
        }
    }

    /// <summary>
    /// The x64 form built on an x64 CPU without VNNI or AMX keeps int8 Convs when they are not slower there (CPUs with
    /// them run the file faster); with VNNI or AMX, and for the full-range (arm64/mobile) form, they must be faster.
    /// </summary>
    [Theory]
    [InlineData("avx2 fma f16c", 63, StaticInt8ConvQuantizer.MaxLatencyRatioWithoutVnni)]
    [InlineData("avx2 fma f16c avx512f", 63, StaticInt8ConvQuantizer.MaxLatencyRatioWithoutVnni)]
    [InlineData("avx2 fma f16c avx512f avx512_vnni avx512_bf16", 63, StaticInt8ConvQuantizer.MaxLatencyRatio)]
    [InlineData("avx2 fma f16c avx_vnni", 63, StaticInt8ConvQuantizer.MaxLatencyRatio)]
    [InlineData("avx2 fma f16c avx512f amx_int8", 63, StaticInt8ConvQuantizer.MaxLatencyRatio)]
    [InlineData("avx2 fma f16c", 127, StaticInt8ConvQuantizer.MaxLatencyRatio)]
    [InlineData("asimd asimddp", 127, StaticInt8ConvQuantizer.MaxLatencyRatio)]
    [InlineData("", 63, StaticInt8ConvQuantizer.MaxLatencyRatio)]
    public void The_latency_bar_depends_on_the_build_machines_int8_kernels(string features, int qmax, double bar) =>
        Assert.Equal(bar, StaticInt8ConvQuantizer.LatencyBar(features, qmax));
}
