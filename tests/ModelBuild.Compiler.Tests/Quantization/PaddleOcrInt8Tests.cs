using System.Text.Json.Nodes;
using ModelZoo.Published;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// Regression for issue #12: the published PP-OCRv4 recognizer and detector built with Quantize="int8" for x64 stay
/// within cosine 0.99 of fp32, and the report says what became of their Convs (int8, or fp32 with measured numbers).
/// </summary>
public sealed class PaddleOcrInt8Tests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("ch_PP-OCRv4_rec_infer.onnx")]
    [InlineData("ch_PP-OCRv4_det_infer.onnx")]
    public void PaddleOcr_x64_int8_stays_close_and_reports_its_conv_decision(string file)
    {
        using var temp = new TempFolder();
        // Static int8 calibrates only on the user's data: here pages of pen strokes in text lines, as the models see.
        string samples = temp.File("samples");
        Directory.CreateDirectory(samples);
        long[] shape = file.Contains("_rec_", StringComparison.Ordinal) ? [2, 3, 48, 320] : [1, 3, 320, 320];
        float[] pixels = TextImages.Batch((int)shape[0], seed: 7, 3, (int)shape[2], (int)shape[3]);
        File.WriteAllBytes(Path.Combine(samples, "x.npy"), Verification.NumpySampleTests.Npy("<f4", shape, Verification.NumpySampleTests.Float32(pixels)));
        var job = Jobs.For(PublishedModels.PaddleOcr.File(file), temp.Path) with { Quantize = "int8", Targets = "x64", SampleInputs = samples };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        JsonNode variant = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]![0]!["variant"]!;
        JsonNode verification = variant["verification"]!;
        string[] notes = [.. variant["keptNotes"]!.AsArray().Select(n => (string)n!)];
        output.WriteLine($"{file}: latency {(double)verification["latencyRatio"]!}x, size {(double)variant["sizeRatio"]!}x\n{string.Join("\n", notes)}");
        Assert.All(verification["outputs"]!.AsArray(), o => Assert.True((double)o!["cosine"]! >= 0.99, $"cosine {o["cosine"]}"));
        Assert.Contains(notes, n => System.Text.RegularExpressions.Regex.IsMatch(n,
            @"^Conv: (\d+ of \d+ int8 \(static QDQ, .*cosine 0\.99\d+, \d+\.\d\dx latency of fp32 Convs|\d+ nodes? kept fp32 \(static int8 (not faster on this machine \([a-z0-9_ ]+\): \d+\.\d\dx|missed cosine))"));
    }

    /// <summary>
    /// Without SampleInputs the Convs stay fp32, but the exact float rewrites around them still ship: the recognizer's
    /// x64 variant holds its learnable affine blocks as depthwise 1×1 Convs (no scalar Mul/Add left before its padded
    /// Convs) and verifies against the original.
    /// </summary>
    [Fact]
    public void PaddleOcr_rec_x64_int8_without_samples_ships_the_float_rewrites()
    {
        using var temp = new TempFolder();
        var job = Jobs.For(PublishedModels.PaddleOcr.File("ch_PP-OCRv4_rec_infer.onnx"), temp.Path) with { Quantize = "int8", Targets = "x64" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        JsonNode variant = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]![0]!["variant"]!;
        string[] notes = [.. variant["keptNotes"]!.AsArray().Select(n => (string)n!)];
        output.WriteLine(string.Join("\n", notes));
        Assert.Contains(notes, n => System.Text.RegularExpressions.Regex.IsMatch(n,
            @"^Conv: 38 nodes kept fp32 \(static int8 needs calibration data .*give SampleInputs; \d+ Mul/Add folded into Convs, \d+ before padded Convs as depthwise 1×1 Convs, \d+ hard-swishes as HardSigmoid · x\)$"));
        string asset = Directory.GetFiles(Path.Combine(temp.Path, "Net"), "*.onnx", SearchOption.AllDirectories).Single(f => f.Contains("x64", StringComparison.Ordinal));
        var graph = ModelBuild.Onnx.OnnxModelReader.ReadFile(asset).Graph;
        // 13 Mul + Add pairs, each one Conv.
        Assert.Equal(13, graph.Node.Count(n => n.OpType == "Conv" && n.Name.EndsWith("_affine", StringComparison.Ordinal)));
        Assert.All(verificationOutputs(variant), cosine => Assert.True(cosine >= 0.999, $"cosine {cosine}"));

        static IEnumerable<double> verificationOutputs(JsonNode v) => v["verification"]!["outputs"]!.AsArray().Select(o => (double)o!["cosine"]!);
    }
}
