using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo.Published;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// On the published PP-OCRv4 models (the recognizer is opset 9, raised to 10), for Conv subsets like those the search
/// tries: every candidate loads in ONNX Runtime and runs exactly the Convs the rewriter reports as int8 as QLinearConv
/// (none quantized behind its back, no Round). Before QdqLayout the detector ran Convs int8 that the report called fp32,
/// and a recognizer candidate failed to load (with the ops between Convs in QDQ form, tried on a branch).
/// </summary>
public sealed class PaddleOcrQdqLayoutTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("ch_PP-OCRv4_rec_infer.onnx")]
    [InlineData("ch_PP-OCRv4_det_infer.onnx")]
    public void Every_candidate_loads_and_runs_exactly_the_reported_int8_convs(string file)
    {
        using var temp = new TempFolder();
        ModelProto model = OnnxModelReader.ReadFile(PublishedModels.PaddleOcr.File(file));
        Assert.NotNull(StaticInt8ConvQuantizer.Prepare(model, temp.Path, out string? whyNot));
        Assert.Null(whyNot);
        List<ConvSite> sites = ConvSite.Find(model);
        bool rec = file.Contains("_rec_", StringComparison.Ordinal);
        long[] shape = rec ? [1, 3, 48, 320] : [1, 3, 160, 160];
        var sample = new SampleSet([new SampleTensor("x", Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, shape,
            TextImages.Batch(1, seed: 3, 3, (int)shape[2], (int)shape[3]))]);
        var ranges = ConvCalibration.Run(model, sites, [sample], temp.File("calibration.onnx"), VerificationBudget.Default);
        var eligible = Enumerable.Range(0, sites.Count).Where(i => ranges.ContainsKey(sites[i].Input) && ranges.ContainsKey(sites[i].OutputPoint)).ToList();

        // Every Conv, every other one, two of three, and random thirds, halves and most (seeded).
        var random = new Random(1);
        List<HashSet<int>> subsets =
        [
            [.. eligible], [.. eligible.Where((_, k) => k % 2 == 0)], [.. eligible.Where((_, k) => k % 3 != 1)],
            .. new[] { 0.3, 0.5, 0.8, 0.9 }.Select(p => eligible.Where(_ => random.NextDouble() < p).ToHashSet()),
        ];
        foreach (var subset in subsets)
        {
            ModelProto candidate = model.Clone();
            var layout = QdqConvRewriter.Apply(candidate, subset, ranges, RangeMethod.MinMax, 63);
            var fused = ModelProto.Parser.ParseFrom(OrtGraphOptimizer.Optimize(OnnxModelWriter.Serialize(candidate), temp.Path, OptimizationLevel.Extended));
            int qlinear = fused.Graph.Node.Count(n => n.OpType == "QLinearConv");
            output.WriteLine($"asked {subset.Count}, written {layout.Convs.Count} (between {layout.Between.Count}), ONNX Runtime runs {qlinear} QLinearConv of {sites.Count}");
            Assert.DoesNotContain(fused.Graph.Node, n => n.OpType == "Round");
            Assert.Equal(layout.Convs.Count, qlinear);
        }
    }
}
