using Google.Protobuf;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo.Published;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// fp16 compute on the published PP-OCRv4 detector (DBNet: Conv + BatchNormalization + ConvTranspose/Resize + Sigmoid,
/// a BatchNormalization variance of 9.8e7) and recognizer, for the CPU and the CUDA form, against fp32 on the CPU.
/// </summary>
public sealed class Fp16ComputeTests
{
    private const double MinCosine = 0.999;

    private static ModelProto Published(string file) => OnnxModelReader.ReadFile(PublishedModels.PaddleOcr.File(file));

    /// <summary>Normalized-image-like inputs: uniform in [-1, 1).</summary>
    private static Dictionary<string, DenseTensor<float>> Image(ModelProto model, int batch, int height, int width) =>
        Ort.RandomInputs(12, (model.Graph.Input[0].Name, [batch, 3, height, width]));

    [Theory]
    [InlineData("ch_PP-OCRv4_det_infer.onnx", 1, 320, 320, false)]
    [InlineData("ch_PP-OCRv4_det_infer.onnx", 1, 320, 320, true)]
    [InlineData("ch_PP-OCRv4_rec_infer.onnx", 2, 48, 320, false)]
    [InlineData("ch_PP-OCRv4_rec_infer.onnx", 2, 48, 320, true)]
    public void Published_ocr_model_in_fp16_matches_fp32(string file, int batch, int height, int width, bool cuda)
    {
        ModelProto model = Published(file);
        ModelProto converted = model.Clone();
        var inputs = Image(model, batch, height, width);
        QuantizationResult result = Fp16GraphConverter.Apply(converted, options: new Fp16Options(cuda, Calibrate(model, inputs)));

        Assert.True(result.QuantizedNodes > model.Graph.Node.Count / 2, string.Join("\n", result.KeptReasons));
        Assert.Equal(model.Graph.Input.Select(ElemType), converted.Graph.Input.Select(ElemType));
        Assert.Equal(model.Graph.Output.Select(ElemType), converted.Graph.Output.Select(ElemType));
        double cosine = Ort.Compare(model, converted, inputs);
        Assert.True(cosine >= MinCosine, $"{file} (cuda: {cuda}): cosine {cosine}\n{string.Join("\n", result.KeptReasons)}");
    }

    [Fact]
    public void Detector_batch_norm_with_variance_beyond_fp16_stays_fp32()
    {
        ModelProto model = Published("ch_PP-OCRv4_det_infer.onnx");
        QuantizationResult result = Fp16GraphConverter.Apply(model);

        Assert.Contains("BatchNormalization: 1 node kept fp32 (constant beyond fp16's range)", result.KeptReasons);
        var batchNorm = model.Graph.Node.Single(n => n.OpType == "BatchNormalization" && n.Input.Contains("batch_norm_0.w_2"));
        Assert.All(batchNorm.Input.Skip(1), name => Assert.NotEqual((int)DataType.Float16, TypeOf(model, name)));
    }

    [Theory]
    [InlineData("ch_PP-OCRv4_det_infer.onnx", 24)]
    [InlineData("ch_PP-OCRv4_rec_infer.onnx", 28)]
    public void Cuda_form_leaves_no_fp16_op_without_a_cuda_fp16_kernel(string file, int clips)
    {
        ModelProto model = Published(file);
        long opset = model.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version;
        ModelProto cpu = model.Clone(), cuda = model.Clone();
        Fp16GraphConverter.Apply(cpu);
        QuantizationResult result = Fp16GraphConverter.Apply(cuda, options: new Fp16Options(CudaKernels: true));

        // Clip before opset 12 has float-only CUDA kernels: fp16 on the CPU form, fp32 in the CUDA form.
        Assert.Contains(Fp16Nodes(cpu), n => n.OpType == "Clip");
        Assert.Contains($"Clip: {clips} nodes kept fp32 (no CUDA fp16 kernel)", result.KeptReasons);
        var fp16 = Fp16Nodes(cuda);
        Assert.Contains(fp16, n => n.OpType == "Conv");
        Assert.All(fp16, n => Assert.True(Fp16CudaKernels.Has(n.OpType, opset), $"{n.OpType} '{n.Name}' computes in fp16 without a CUDA fp16 kernel at opset {opset}"));
    }

    [Fact]
    public void Calibration_keeps_nodes_whose_activations_overflow_fp16_in_fp32()
    {
        // x * 300 * 300 reaches 9e4 for |x| near 1: beyond fp16 (65504); scaled back down, y is of order 1.
        var graph = new GraphProto { Name = "overflow" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(4), Dim(256)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(4), Dim(256)]));
        graph.Initializer.Add(Scalar("big", 300f));
        graph.Initializer.Add(Scalar("small", 1f / 90000f));
        graph.Node.Add(Node("Mul", "up1", ["x", "big"], ["a"]));
        graph.Node.Add(Node("Mul", "up2", ["a", "big"], ["b"]));
        graph.Node.Add(Node("Mul", "down", ["b", "small"], ["c"]));
        graph.Node.Add(Node("Relu", "relu", ["c"], ["y"]));
        ModelProto model = Model(graph);
        var inputs = Ort.RandomInputs(3, ("x", [4, 256]));

        // Without calibration 'b' is fp16, where it overflows (ONNX Runtime's CPU provider happens to compute Mul in
        // fp32 and would hide it; the CUDA provider would not).
        ModelProto plain = model.Clone();
        Fp16GraphConverter.Apply(plain);
        Assert.Contains(Fp16Nodes(plain), n => n.Name == "up2");

        var ranges = Calibrate(model, inputs);
        Assert.True(float.IsInfinity((float)(Half)ranges["b"]), $"max |b| {ranges["b"]}");
        ModelProto calibrated = model.Clone();
        QuantizationResult result = Fp16GraphConverter.Apply(calibrated, options: new Fp16Options(Ranges: ranges));
        Assert.Contains("Mul: 2 nodes kept fp32 (calibrated values beyond fp16's range)", result.KeptReasons);
        Assert.Equal(["up1", "relu"], Fp16Nodes(calibrated).Select(n => n.Name));
        Assert.True(Ort.Compare(model, calibrated, inputs) >= 0.9999);
    }

    /// <remarks>
    /// Realistic inputs (normalized images span about ±2): on the generated [0, 1) samples the detector finds no text,
    /// its probability map is Sigmoid(≈ -10) ≈ 5e-5 everywhere, and fp16's rounding of the logits (absolute error
    /// ~0.01, which is the map's relative error) caps the cosine near 0.9984 whichever layers stay fp32.
    /// </remarks>
    [Fact]
    public void Build_of_the_detector_for_cuda_and_arm64_passes_fp16_verification()
    {
        using var temp = new TempFolder();
        File.Copy(PublishedModels.PaddleOcr.File("ch_PP-OCRv4_det_infer.onnx"), temp.File("det.onnx"));
        for (int set = 0; set < 2; set++)
        {
            var input = Ort.RandomInputs(20 + (ulong)set, ("x", [1, 3, 256, 256]))["x"];
            Directory.CreateDirectory(temp.File($"samples/test_data_set_{set}"));
            File.WriteAllBytes(temp.File($"samples/test_data_set_{set}/input_0.pb"), Floats("x", [1, 3, 256, 256], input.Buffer.ToArray()).ToByteArray());
        }

        CompileJob job = Jobs.For(temp.File("det.onnx"), temp.File("out"), "Detector") with
        {
            Quantize = "fp16", Targets = "arm64;cuda", Fallback = "none", SampleInputs = temp.File("samples"),
        };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        var variants = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]!.AsArray().Select(v => v!["variant"]!).ToList();
        Assert.Equal(["Fp16Compute", "Fp16Compute"], variants.Select(v => (string?)v["form"]));
        Assert.All(variants, v => Assert.All(v["verification"]!["outputs"]!.AsArray(), o => Assert.True((double)o!["cosine"]! >= MinCosine, o.ToJsonString())));
        Assert.Contains("Clip: 24 nodes kept fp32 (no CUDA fp16 kernel)", variants[1]["keptNotes"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public void Cuda_variant_whose_heavy_ops_cannot_be_fp16_stays_fp32_with_MB5150()
    {
        // The MatMul weight (up to 2e5) leaves fp16's range, so the only heavy op stays fp32: fp16 would be casts only.
        var graph = new GraphProto { Name = "wide" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(4), Dim(64)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(4), Dim(64)]));
        var weight = TestModels.Weight("W", 9, 64, 64);
        float[] values = [.. MemoryMarshal.Cast<byte, float>(weight.RawData.Span).ToArray().Select(v => v * 1.6e6f)];
        graph.Initializer.Add(Floats("W", [64, 64], values));
        graph.Initializer.Add(Scalar("scale", 1e-5f));
        graph.Node.Add(Node("MatMul", "wide", ["x", "W"], ["h"]));
        graph.Node.Add(Node("Mul", "narrow", ["h", "scale"], ["z"]));
        graph.Node.Add(Node("Tanh", "squash", ["z"], ["y"]));
        using var temp = new TempFolder();
        OnnxModelWriter.WriteFile(Model(graph), temp.File("wide.onnx"));
        CompileJob job = Jobs.For(temp.File("wide.onnx"), temp.File("out"), "Wide") with { Quantize = "fp16", Targets = "cuda", Fallback = "none" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        var warning = lines.Select(Jobs.Parse).Single(m => m.Code == "MB5150");
        Assert.Equal("warning", warning.Kind);
        Assert.Contains("only 0 of 1 Conv/MatMul/Gemm/recurrent nodes can compute in fp16", warning.Text, StringComparison.Ordinal);
        ModelProto asset = OnnxModelReader.ReadFile(Path.Combine(temp.File("out"), "Wide", "cuda", "wide.onnx"));
        Assert.DoesNotContain(asset.Graph.Initializer, t => t.DataType == (int)DataType.Float16);
    }

    [Fact]
    public void Accuracy_search_keeps_the_last_layers_fp32_when_the_outputs_need_it()
    {
        // y = h·(100 + S) - h·100 = h·S: in fp16, 100 + S keeps steps of 1/16 and loses most of S (|S| ≤ 1/8). Keeping
        // the last two of the four MatMuls (and the Sub) fp32 keeps that weight fp32 and fixes the output.
        var graph = new GraphProto { Name = "cancel" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(8), Dim(64)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(8), Dim(64)]));
        graph.Initializer.Add(TestModels.Weight("W1", 21, 64, 64));
        graph.Initializer.Add(TestModels.Weight("W2", 22, 64, 64));
        float[] small = [.. MemoryMarshal.Cast<byte, float>(TestModels.Weight("S", 23, 64, 64).RawData.Span).ToArray()];
        graph.Initializer.Add(Floats("Big", [64, 64], [.. small.Select(v => 100f + v)]));
        graph.Initializer.Add(Floats("Hundreds", [64, 64], [.. small.Select(_ => 100f)]));
        graph.Node.Add(Node("MatMul", "fc1", ["x", "W1"], ["h1"]));
        graph.Node.Add(Node("MatMul", "fc2", ["h1", "W2"], ["h"]));
        graph.Node.Add(Node("MatMul", "big", ["h", "Big"], ["g"]));
        graph.Node.Add(Node("MatMul", "hundreds", ["h", "Hundreds"], ["o"]));
        graph.Node.Add(Node("Sub", "cancel", ["g", "o"], ["y"]));
        ModelProto model = Model(graph);
        var inputs = Ort.RandomInputs(24, ("x", [8, 64]));

        ModelProto plain = model.Clone();
        Fp16GraphConverter.Apply(plain);
        double plainCosine = Ort.Compare(model, plain, inputs);
        Assert.True(plainCosine < 0.999, $"plain fp16 cosine {plainCosine}");

        ModelProto searched = model.Clone();
        QuantizationResult result = Fp16TailSearch.Apply(searched, TensorSource.Inline, Fp16Options.Default, [Sample(inputs)], 0.999, ModelBuild.Compiler.Budgets.VerificationBudget.Default);

        Assert.Contains(result.KeptReasons, r => r.Contains("with the last 2 of 4 Conv/MatMul/Gemm/recurrent nodes and what follows kept fp32", StringComparison.Ordinal));
        Assert.Equal(["fc1", "fc2"], Fp16Nodes(searched).Select(n => n.Name));
        Assert.True(Ort.Compare(model, searched, inputs) >= 0.999);
    }

    private static Dictionary<string, float> Calibrate(ModelProto model, Dictionary<string, DenseTensor<float>> inputs) =>
        Fp16ValueRanges.Measure(model, [Sample(inputs)], ModelBuild.Compiler.Budgets.VerificationBudget.Default);

    private static SampleSet Sample(Dictionary<string, DenseTensor<float>> inputs) =>
        new([.. inputs.Select(p => new SampleTensor(p.Key, TensorElementType.Float, [.. p.Value.Dimensions.ToArray().Select(d => (long)d)], p.Value.Buffer.ToArray()))]);

    private static int ElemType(ValueInfoProto value) => value.Type.TensorType.ElemType;

    private static int TypeOf(ModelProto model, string name) =>
        model.Graph.Initializer.FirstOrDefault(t => t.Name == name)?.DataType
        ?? model.Graph.ValueInfo.FirstOrDefault(v => v.Name == name)?.Type.TensorType.ElemType
        ?? model.Graph.Node.Where(n => n.Output.Contains(name)).Select(n => n.Attribute.FirstOrDefault(a => a.Name == "value")?.T?.DataType ?? 0).FirstOrDefault();

    /// <summary>Nodes other than Cast that read or write a float16 value.</summary>
    private static List<NodeProto> Fp16Nodes(ModelProto model)
    {
        var types = ElementTypes.Infer(model.Graph);
        return model.Graph.Node
            .Where(n => n.OpType != "Cast" && n.Input.Concat(n.Output).Any(v => types.GetValueOrDefault(v) == (int)DataType.Float16))
            .ToList();
    }
}
