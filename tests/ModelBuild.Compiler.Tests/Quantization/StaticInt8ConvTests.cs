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
        var ranges = ConvCalibration.Run(model, sites, samples, Path.Combine(folder.Path, "calibration.onnx"));

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
}
