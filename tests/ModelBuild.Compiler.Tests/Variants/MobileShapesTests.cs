using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo.Published;
using static ModelBuild.Compiler.Tests.Verification.NumpySampleTests;
using static ModelBuild.Compiler.Tests.Verification.SampleInputGeneratorTests;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Variants;

/// <summary>
/// MobileShapes: the mobile variant's inputs get static shapes (and, through ONNX Runtime's shape inference, its inner
/// and output shapes), the other variants and the signature keep the model's; without it, dynamic inputs warn MB5661.
/// </summary>
public sealed class MobileShapesTests
{
    /// <summary>x [batch, 4] · w [4, 3] → Relu → y, whose shape the model leaves undeclared (only inference can fix it).</summary>
    private static CompileJob Write(TempFolder temp)
    {
        var graph = Graph(Value("x", DataType.Float, [Dim("batch"), Dim(4)]));
        graph.Initializer.Add(Floats("w", [4, 3], [.. Enumerable.Range(0, 12).Select(i => (i - 6) / 10f)]));
        graph.Node.Add(Node("MatMul", "matmul", ["x", "w"], ["h"]));
        graph.Node.Add(Node("Relu", "relu", ["h"], ["y"]));
        graph.Output.Add(Value("y", DataType.Float, null));
        string path = temp.File("net.onnx");
        OnnxModelWriter.WriteFile(Model(graph), path);
        return Jobs.For(path, temp.File("out")) with { Targets = "cpu;mobile" };
    }

    private static long[] Dimensions(NodeMetadata metadata) => [.. metadata.Dimensions.Select(d => (long)d)];

    private static JsonNode MobileReport(CompileJob job) =>
        JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]!.AsArray().Single(v => (string?)v!["variant"]!["target"] == "mobile")!["variant"]!;

    [Fact]
    public void MobileShapes_fixes_the_mobile_variants_shapes_and_leaves_the_others_dynamic()
    {
        using var temp = new TempFolder();
        CompileJob job = Write(temp) with { MobileShapes = "x=2,4" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.DoesNotContain(lines.Select(Jobs.Parse), m => m.Kind is "warning" or "error");
        using (var mobile = new InferenceSession(Path.Combine(job.OutputDirectory, "mobile", "net.ort")))
        {
            Assert.Equal([2, 4], Dimensions(mobile.InputMetadata["x"]));
            Assert.Equal([2, 3], Dimensions(mobile.OutputMetadata["y"])); // inferred through MatMul and Relu
        }
        using (var cpu = new InferenceSession(Path.Combine(job.OutputDirectory, "cpu", "net.onnx")))
        {
            Assert.Equal([-1, 4], Dimensions(cpu.InputMetadata["x"]));
        }
        Assert.Contains("\"batch\"", File.ReadAllText(job.SignatureFile), StringComparison.Ordinal); // the wrapper stays the original's
        JsonNode report = MobileReport(job);
        Assert.Equal("[2,4]", report["mobileShapes"]!["fixed"]!["x"]!.ToJsonString());
        Assert.Empty(report["mobileShapes"]!["dynamic"]!.AsArray());
        Assert.Equal(1.0, (double)report["verification"]!["outputs"]![0]!["cosine"]!, 6); // verified on the fixed shape
    }

    [Fact]
    public void A_mobile_variant_with_dynamic_inputs_warns_and_suggests_MobileShapes()
    {
        using var temp = new TempFolder();
        CompileJob job = Write(temp);

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        var warning = Assert.Single(lines.Select(Jobs.Parse), m => m.Kind == "warning");
        Assert.Equal("MB5661", warning.Code);
        Assert.Contains("input(s) 'x' have dynamic dimensions", warning.Text, StringComparison.Ordinal);
        Assert.Contains("NNAPI and Core ML will run only the nodes whose shapes are static", warning.Text, StringComparison.Ordinal);
        Assert.Contains("MobileShapes=\"x=1,4\"", warning.Text, StringComparison.Ordinal);
        using (var mobile = new InferenceSession(Path.Combine(job.OutputDirectory, "mobile", "net.ort")))
        {
            Assert.Equal([-1, 4], Dimensions(mobile.InputMetadata["x"]));
        }
        Assert.Equal("[\"x\"]", MobileReport(job)["mobileShapes"]!["dynamic"]!.ToJsonString());

        // Only the mobile variant asks for static shapes.
        var (cpuOk, cpuLines) = Jobs.Run(job with { Targets = "cpu" });
        Assert.True(cpuOk, string.Join("\n", cpuLines));
        Assert.DoesNotContain(cpuLines.Select(Jobs.Parse), m => m.Kind == "warning");
    }

    [Fact]
    public void A_symbolic_dimension_fixed_on_one_input_is_fixed_on_every_input_that_shares_it()
    {
        using var temp = new TempFolder();
        var graph = Graph(Value("a", DataType.Float, [Dim("batch"), Dim(2)]), Value("b", DataType.Float, [Dim("batch"), Dim(2)]));
        graph.Node.Add(Node("Add", "add", ["a", "b"], ["y"]));
        graph.Output.Add(Value("y", DataType.Float, [Dim("batch"), Dim(2)]));
        string path = temp.File("pair.onnx");
        OnnxModelWriter.WriteFile(Model(graph), path);
        CompileJob job = Jobs.For(path, temp.File("out")) with { Targets = "cpu;mobile", MobileShapes = "a=3,2" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.DoesNotContain(lines.Select(Jobs.Parse), m => m.Code == "MB5661");
        using var mobile = new InferenceSession(Path.Combine(job.OutputDirectory, "mobile", "pair.ort"));
        Assert.Equal([3, 2], Dimensions(mobile.InputMetadata["b"]));
        Assert.Equal([3, 2], Dimensions(mobile.OutputMetadata["y"]));
    }

    [Theory]
    [InlineData("y=1,4", "input 'y' the shape 1,4, but the model has no such input (its inputs: 'x')")]
    [InlineData("x=2", "input 'x' the shape 2, but the model declares rank 2")]
    [InlineData("x=2,5", "input 'x' the shape 2,5, but axis 1 is fixed at 4")]
    public void MobileShapes_that_do_not_fit_the_model_fail_naming_the_input(string shapes, string expected)
    {
        using var temp = new TempFolder();
        CompileJob job = Write(temp) with { MobileShapes = shapes };

        var (ok, lines) = Jobs.Run(job);

        Assert.False(ok);
        var error = Jobs.SingleError(lines);
        Assert.Equal("MB5660", error.Code);
        Assert.Contains(expected, error.Text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(job.OutputDirectory));
    }

    [Theory]
    [InlineData("x=0,4", null, "MB4055", "MobileShapes entry 'x=0,4' is not of the form input=d1,d2,...")]
    [InlineData("x=2,4", "x=1,4", "MB4056", "MobileShapes gives input 'x' the shape 2,4 and SampleShapes 1,4")]
    public void Malformed_or_contradicting_MobileShapes_fail_before_compiling(string shapes, string? sampleShapes, string code, string expected)
    {
        using var temp = new TempFolder();
        CompileJob job = Write(temp) with { MobileShapes = shapes, SampleShapes = sampleShapes };

        var (ok, lines) = Jobs.Run(job);

        Assert.False(ok);
        var error = Jobs.SingleError(lines);
        Assert.Equal(code, error.Code);
        Assert.Contains(expected, error.Text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(job.OutputDirectory));
    }

    [Fact]
    public void SampleInputs_of_another_shape_than_MobileShapes_cannot_verify_the_mobile_variant()
    {
        using var temp = new TempFolder();
        string samples = temp.File("samples");
        Directory.CreateDirectory(samples);
        File.WriteAllBytes(Path.Combine(samples, "x.npy"), Npy("<f4", [1, 4], Float32(1, 2, 3, 4)));
        CompileJob job = Write(temp) with { MobileShapes = "x=2,4", SampleInputs = samples };

        var (ok, lines) = Jobs.Run(job);

        Assert.False(ok);
        var error = Jobs.SingleError(lines);
        Assert.Equal("MB5662", error.Code);
        Assert.Contains("SampleInputs gives input 'x' the shape 1,4, but MobileShapes fixes it at 2,4", error.Text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(job.OutputDirectory));
    }

    [Fact]
    public void A_real_audio_model_gets_static_shapes_throughout_its_mobile_variant()
    {
        // openWakeWord's melspectrogram.onnx: input [batch, samples], output [time, 1, frames, 32] left open by the exporter.
        using var temp = new TempFolder();
        var job = Jobs.For(PublishedModels.OpenWakeWord.File("melspectrogram.onnx"), temp.Path) with { Targets = "cpu;mobile", MobileShapes = "input=1,1280" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.DoesNotContain(lines.Select(Jobs.Parse), m => m.Code == "MB5661");
        using var mobile = new InferenceSession(Path.Combine(job.OutputDirectory, "mobile", "melspectrogram.ort"));
        Assert.Equal([1, 1280], Dimensions(mobile.InputMetadata["input"]));
        long[] output = Dimensions(mobile.OutputMetadata.Values.Single());
        Assert.True(output.All(d => d > 0), $"output shape {string.Join(",", output)} is static");
        using var cpu = new InferenceSession(Path.Combine(job.OutputDirectory, "cpu", "melspectrogram.onnx"));
        Assert.Contains(-1, Dimensions(cpu.InputMetadata["input"]));
    }
}
