using System.Text.Json.Nodes;
using ModelBuild.Compiler.Pipeline;
using ModelZoo.Published;

namespace ModelBuild.Compiler.Tests.Variants;

/// <summary>
/// A lossless mobile variant (.ort, basic optimizations) is compared with the original as ONNX Runtime runs the graph it
/// holds. Against the original at ALL, PP-OCRv4's detector failed MB5010 on generated inputs (cosine 0.98501 at 640²,
/// 0.99085 at 320²): the two ran other fp32 kernels, and on a textless image its Sigmoid outputs are at most 4.8e-6, where
/// ONNX Runtime's Sigmoid is accurate only to ~1e-7 (docs/verification.md).
/// </summary>
public sealed class MobileLosslessVerificationTests
{
    private static JsonNode Variant(CompileJob job, string target) =>
        JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]!.AsArray().Single(v => (string?)v!["variant"]!["target"] == target)!["variant"]!;

    [Fact]
    public void PP_OCRv4_det_for_mobile_verifies_against_the_original_at_the_level_its_ort_file_holds()
    {
        using var temp = new TempFolder();
        CompileJob job = Jobs.For(PublishedModels.PaddleOcr.File("ch_PP-OCRv4_det_infer.onnx"), temp.File("out"), "Det") with
        {
            Targets = "mobile", MobileShapes = "x=1,3,320,320", VerifySamples = "2",
        };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.DoesNotContain(lines.Select(Jobs.Parse), m => m.Kind == "error");
        JsonNode mobile = Variant(job, "mobile");
        Assert.Equal("ort", (string?)mobile["format"]);
        Assert.Equal("basic", (string?)mobile["optimize"]);
        JsonNode output = mobile["verification"]!["outputs"]!.AsArray().Single()!;
        Assert.True((double)output["cosine"]! >= 0.99999, output.ToJsonString());
        Assert.Contains("at ONNX Runtime's basic level", (string?)mobile["verification"]!["method"], StringComparison.Ordinal);
        Assert.Null(Variant(job, "cpu")["verification"]!["method"]); // the .onnx fallback is compared with the default reference
    }
}
