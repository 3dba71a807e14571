using System.Text.Json.Nodes;
using ModelZoo.Published;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// The default build (Quantize="none") of a published conv net gets the exact float rewrites around its Convs in the
/// x64 form only, and only where the verification inputs show no loss from them.
/// </summary>
public sealed class PaddleOcrFp32RewriteTests(ITestOutputHelper output)
{
    /// <summary>
    /// PP-OCRv4 rec's cpu variant holds its learnable affine blocks as depthwise 1×1 Convs and verifies at the fp32
    /// bar, while its arm64 variant keeps the ops as exported.
    /// </summary>
    [Fact]
    public void PaddleOcr_rec_fp32_cpu_variant_ships_the_float_rewrites_and_arm64_keeps_the_exported_ops()
    {
        using var temp = new TempFolder();
        var variants = Build(temp, "ch_PP-OCRv4_rec_infer.onnx", "cpu;arm64");

        JsonNode cpu = variants["cpu"], arm64 = variants["arm64"];
        Assert.Matches(@"^\d+ Mul/Add folded into Convs, 26 before padded Convs as depthwise 1×1 Convs, 28 hard-swishes as HardSigmoid · x$", (string)cpu["floatRewrites"]!);
        Assert.Null(arm64["floatRewrites"]);
        Assert.Equal(0, (int)cpu["quantizedNodes"]!);
        // The latencies are the build machine's, and the report names its CPU features (every x64 CI machine has AVX2).
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            Assert.Contains("avx2", ((string)cpu["verification"]!["cpuFeatures"]!).Split(' '));
        }
        Assert.Equal(13, AffineConvs(temp, "cpu"));
        Assert.Equal(0, AffineConvs(temp, "arm64"));
    }

    /// <summary>
    /// The detector on generated (noise) inputs magnifies the rewrites' rounding to cosine 0.99984, under the fp32 bar:
    /// the build keeps the original graph, says why, and does not fail (it did, with MB5010, before the check).
    /// </summary>
    [Fact]
    public void PaddleOcr_det_fp32_cpu_variant_keeps_the_original_graph_where_the_rewrites_cost_accuracy()
    {
        using var temp = new TempFolder();
        JsonNode cpu = Build(temp, "ch_PP-OCRv4_det_infer.onnx", "cpu")["cpu"];

        Assert.Matches(@"^not applied \(76 Mul/Add folded into Convs, .*\): cosine 0\.\d{5} on the verification inputs, below 0\.999995$", (string)cpu["floatRewrites"]!);
        Assert.Equal(0, AffineConvs(temp, "cpu"));
    }

    /// <summary>Builds the published model for the targets; each variant's report by target, every one verified at the fp32 bar.</summary>
    private Dictionary<string, JsonNode> Build(TempFolder temp, string file, string targets)
    {
        var job = Jobs.For(PublishedModels.PaddleOcr.File(file), temp.Path) with { Targets = targets };
        var (ok, lines) = Jobs.Run(job);
        Assert.True(ok, string.Join("\n", lines));
        var variants = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]!.AsArray().Select(v => v!["variant"]!).ToDictionary(v => (string)v["target"]!);
        foreach (var (target, variant) in variants)
        {
            output.WriteLine($"{target}: {variant["floatRewrites"]}; latency {variant["verification"]!["latencyRatio"]}x");
            Assert.All(variant["verification"]!["outputs"]!.AsArray(), o => Assert.True((double)o!["cosine"]! >= 0.99999, $"{target}: cosine {o["cosine"]}"));
        }
        return variants;
    }

    /// <summary>Depthwise 1×1 Convs written for a scalar affine (<c>ScalarAffineAsConv</c>) in the target's asset.</summary>
    private static int AffineConvs(TempFolder temp, string target)
    {
        string asset = Directory.GetFiles(Path.Combine(temp.Path, "Net"), "*.onnx", SearchOption.AllDirectories)
            .Single(f => f.Split(Path.DirectorySeparatorChar).Contains(target));
        return ModelBuild.Onnx.OnnxModelReader.ReadFile(asset).Graph.Node.Count(n => n.OpType == "Conv" && n.Name.EndsWith("_affine", StringComparison.Ordinal));
    }
}
