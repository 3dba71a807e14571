using System.Text.Json.Nodes;
using ModelZoo.Published;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// The default build (Quantize="none") of a published conv net gets the exact float rewrites around its Convs in the
/// x64 form only: PP-OCRv4 rec's cpu variant holds its learnable affine blocks as depthwise 1×1 Convs and verifies at
/// the fp32 bar, while its arm64 variant keeps the ops as exported.
/// </summary>
public sealed class PaddleOcrFp32RewriteTests(ITestOutputHelper output)
{
    [Fact]
    public void PaddleOcr_rec_fp32_cpu_variant_ships_the_float_rewrites_and_arm64_keeps_the_exported_ops()
    {
        using var temp = new TempFolder();
        var job = Jobs.For(PublishedModels.PaddleOcr.File("ch_PP-OCRv4_rec_infer.onnx"), temp.Path) with { Targets = "cpu;arm64" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        var variants = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]!.AsArray().Select(v => v!["variant"]!).ToDictionary(v => (string)v["target"]!);
        JsonNode cpu = variants["cpu"], arm64 = variants["arm64"];
        output.WriteLine($"cpu: {cpu["floatRewrites"]}; latency {cpu["verification"]!["latencyRatio"]}x");
        Assert.Matches(@"^\d+ Mul/Add folded into Convs, 26 before padded Convs as depthwise 1×1 Convs, 28 hard-swishes as HardSigmoid · x$", (string)cpu["floatRewrites"]!);
        Assert.Null(arm64["floatRewrites"]);
        // The latencies are the build machine's, and the report names its CPU features (every x64 CI machine has AVX2).
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.Contains("avx2", ((string)cpu["verification"]!["cpuFeatures"]!).Split(' '));
        }
        Assert.Equal(0, (int)cpu["quantizedNodes"]!);
        Assert.All(cpu["verification"]!["outputs"]!.AsArray(), o => Assert.True((double)o!["cosine"]! >= 0.99999, $"cosine {o["cosine"]}"));

        string Asset(string target) => Directory.GetFiles(Path.Combine(temp.Path, "Net"), "*.onnx", SearchOption.AllDirectories)
            .Single(f => f.Split(Path.DirectorySeparatorChar).Contains(target));
        var cpuGraph = ModelBuild.Onnx.OnnxModelReader.ReadFile(Asset("cpu")).Graph;
        var arm64Graph = ModelBuild.Onnx.OnnxModelReader.ReadFile(Asset("arm64")).Graph;
        Assert.Equal(13, cpuGraph.Node.Count(n => n.OpType == "Conv" && n.Name.EndsWith("_affine", StringComparison.Ordinal)));
        Assert.DoesNotContain(arm64Graph.Node, n => n.Name.EndsWith("_affine", StringComparison.Ordinal));
    }

    /// <summary>
    /// The detector on generated (noise) inputs magnifies the rewrites' rounding to cosine 0.99984, under the fp32 bar:
    /// the build keeps the original graph, says why, and does not fail (it did, with MB5010, before the check).
    /// </summary>
    [Fact]
    public void PaddleOcr_det_fp32_cpu_variant_keeps_the_original_graph_where_the_rewrites_cost_accuracy()
    {
        using var temp = new TempFolder();
        var job = Jobs.For(PublishedModels.PaddleOcr.File("ch_PP-OCRv4_det_infer.onnx"), temp.Path) with { Targets = "cpu" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        JsonNode cpu = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]![0]!["variant"]!;
        output.WriteLine((string)cpu["floatRewrites"]!);
        Assert.Matches(@"^not applied \(76 Mul/Add folded into Convs, .*\): cosine 0\.\d{5} on the verification inputs, below 0\.999995$", (string)cpu["floatRewrites"]!);
        Assert.All(cpu["verification"]!["outputs"]!.AsArray(), o => Assert.True((double)o!["cosine"]! >= 0.99999, $"cosine {o["cosine"]}"));
        string asset = Directory.GetFiles(Path.Combine(temp.Path, "Net"), "*.onnx", SearchOption.AllDirectories).Single();
        Assert.DoesNotContain(ModelBuild.Onnx.OnnxModelReader.ReadFile(asset).Graph.Node, n => n.Name.EndsWith("_affine", StringComparison.Ordinal));
    }
}
