using System.Text.Json.Nodes;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelBuild.Shared;
using static ModelBuild.Compiler.Tests.Verification.SampleInputGeneratorTests;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Verification;

/// <summary>
/// The whole pipeline with default metadata on models whose inputs are constrained: inputs the original runs on are
/// found (or the outcome is honest about why not), random outputs are left out, SampleShapes fixes open dimensions.
/// </summary>
public sealed class VerificationOutcomeTests
{
    private static CompileJob Write(TempFolder temp, ModelProto model)
    {
        string path = temp.File("model.onnx");
        OnnxModelWriter.WriteFile(model, path);
        return Jobs.For(path, temp.File("out"), "Net");
    }

    private static List<(string Kind, string Code, string File, string Text)> Messages(string[] lines) => [.. lines.Select(Jobs.Parse)];

    /// <summary>x [length] reshaped to [3, 5] then multiplied by a 5×4 weight: runs only when length = 15, which no open size tried is.</summary>
    private static ModelProto FifteenOnly()
    {
        var graph = Graph(Value("x", DataType.Float, [Dim("length")]));
        graph.Initializer.Add(Int64s("shape", [2], [3, 5]));
        graph.Initializer.Add(Floats("w", [5, 4], [.. Enumerable.Range(0, 20).Select(i => i / 20f)]));
        graph.Node.Add(Node("Reshape", "reshape", ["x", "shape"], ["r"]));
        graph.Node.Add(Node("MatMul", "matmul", ["r", "w"], ["y"]));
        graph.Output.Add(Value("y", DataType.Float, null));
        return Model(graph);
    }

    [Fact]
    public void A_lossless_variant_no_generated_input_runs_ships_with_a_warning_that_says_how_to_verify()
    {
        using var temp = new TempFolder();
        CompileJob job = Write(temp, FifteenOnly());

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        var warning = Assert.Single(Messages(lines), m => m.Code == ToolErrorCodes.Unverifiable);
        Assert.Equal("warning", warning.Kind);
        Assert.Contains("'x' [8]; then 'x' [64]; then 'x' [512]; then 'x' [2048]", warning.Text, StringComparison.Ordinal);
        Assert.Contains("Reshape", warning.Text, StringComparison.Ordinal); // ONNX Runtime's own message
        Assert.Contains("SampleShapes", warning.Text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(job.OutputDirectory, "cpu", "model.onnx")));
        JsonNode report = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!;
        Assert.Equal("no sample input runs the original model", (string?)report["variants"]![0]!["variant"]!["verification"]!["skippedReason"]);
    }

    [Fact]
    public void A_lossy_variant_that_cannot_be_verified_fails_unless_Verify_is_warn()
    {
        using var temp = new TempFolder();
        CompileJob job = Write(temp, FifteenOnly()) with { Quantize = "int8" };

        var (ok, lines) = Jobs.Run(job);

        Assert.False(ok);
        var error = Jobs.SingleError(lines);
        Assert.Equal(ToolErrorCodes.Unverifiable, error.Code);
        Assert.Contains("cpu int8 cannot be verified", error.Text, StringComparison.Ordinal);
        Assert.Contains("Verify=\"warn\"", error.Text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(job.OutputDirectory));

        var (warnOk, warnLines) = Jobs.Run(job with { Verify = "warn" });
        Assert.True(warnOk, string.Join("\n", warnLines));
        Assert.Equal("warning", Assert.Single(Messages(warnLines), m => m.Code == ToolErrorCodes.Unverifiable).Kind);
    }

    [Fact]
    public void SampleShapes_fixes_open_dimensions_and_must_fit_the_declared_shape()
    {
        using var temp = new TempFolder();
        CompileJob job = Write(temp, FifteenOnly()) with { SampleShapes = "x=15" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.DoesNotContain(Messages(lines), m => m.Kind is "warning" or "error");
        JsonNode report = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!;
        Assert.Equal(1.0, (double)report["variants"]![0]!["variant"]!["verification"]!["outputs"]![0]!["cosine"]!);

        var (rankOk, rankLines) = Jobs.Run(job with { SampleShapes = "x=3,5" });
        Assert.False(rankOk);
        var error = Jobs.SingleError(rankLines);
        Assert.Equal(ToolErrorCodes.SampleShapeInvalid, error.Code);
        Assert.Contains("input 'x' the shape 3,5, but the model declares rank 1", error.Text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(job.OutputDirectory));
    }

    [Theory]
    [InlineData("x")]
    [InlineData("x=")]
    [InlineData("x=1,0")]
    [InlineData("x=1;x=2")]
    [InlineData("=4")]
    public void Malformed_SampleShapes_are_refused(string text)
    {
        var e = Assert.Throws<SettingsException>(() => CompileSettings.ParseShapes(CompileOptions.SampleShapes, text));
        Assert.Contains("SampleShapes entry", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reflect_pad_longer_than_the_default_length_is_retried_with_longer_inputs()
    {
        var graph = Graph(Value("audio", DataType.Float, [Dim(1), Dim("samples")]));
        graph.Initializer.Add(Int64s("pads", [4], [0, 20, 0, 20]));
        graph.Node.Add(Node("Pad", "pad", ["audio", "pads"], ["y"], new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8("reflect") }));
        graph.Output.Add(Value("y", DataType.Float, null));
        ModelProto model = Model(graph);
        using var temp = new TempFolder();
        CompileJob job = Write(temp, model);

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.DoesNotContain(Messages(lines), m => m.Kind is "warning" or "error");
        // 8 samples are shorter than the 20-sample padding; 64 is the first length tried that fits, every time.
        Assert.Equal([1L, 64L], Assert.Single(SampleInputGenerator.Shapes(model, SampleShapeOptions.Default with { DefaultSize = InputSearch.OpenSizes[1] })).Shape);
        using var verifier = InputSearch.Run(job.Model, model, 2, 0, SampleShapeOptions.Default, 1, new Dictionary<string, string>(), ModelBuild.Compiler.Budgets.VerificationBudget.Default);
        Assert.Equal(2, verifier.SampleCount);
    }

    [Fact]
    public void A_model_ONNX_Runtime_has_no_kernel_for_fails_with_MB5501_naming_the_op_and_the_version()
    {
        // Max on int16 at opset 13: a valid model with no CPU kernel in ONNX Runtime 1.32 (BitShift on uint16, used
        // before, gained one in 1.32).
        var graph = Graph(Value("x", DataType.Int16, [Dim(3)]), Value("n", DataType.Int16, [Dim(3)]));
        graph.Node.Add(Node("Max", "largest", ["x", "n"], ["y"]));
        graph.Output.Add(Value("y", DataType.Int16, null));
        using var temp = new TempFolder();
        CompileJob job = Write(temp, Model(graph, opset: 13));

        var (ok, lines) = Jobs.Run(job);

        Assert.False(ok);
        var error = Jobs.SingleError(lines);
        Assert.Equal(ToolErrorCodes.OptimizeFailed, error.Code);
        Assert.Contains($"ONNX Runtime {ToolVersions.OnnxRuntime} could not", error.Text, StringComparison.Ordinal);
        Assert.Contains("Max(13)", error.Text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(job.OutputDirectory));
    }

    [Fact]
    public void Random_outputs_are_left_out_and_the_report_and_log_say_why()
    {
        var graph = Graph(Value("x", DataType.Float, [Dim(2), Dim(3)]));
        graph.Node.Add(Node("RandomUniformLike", "noise", ["x"], ["n"]));
        graph.Node.Add(Node("Add", "add", ["x", "n"], ["noisy"]));
        graph.Node.Add(Node("Relu", "relu", ["x"], ["clean"]));
        graph.Output.Add(Value("noisy", DataType.Float, null));
        graph.Output.Add(Value("clean", DataType.Float, null));
        using var temp = new TempFolder();
        CompileJob job = Write(temp, Model(graph));

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Contains(Messages(lines), m => m.Kind == "info" && m.Text.Contains("'noisy': random (depends on RandomUniformLike)", StringComparison.Ordinal));
        JsonNode verification = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]![0]!["variant"]!["verification"]!;
        Assert.Equal("noisy: random (depends on RandomUniformLike)", (string?)verification["notCompared"]![0]);
        Assert.Equal("clean", (string?)Assert.Single(verification["outputs"]!.AsArray())!["name"]);
    }

    [Fact]
    public void Constrained_operands_get_values_the_operators_accept()
    {
        var graph = Graph(
            Value("x", DataType.Float, [Dim(2), Dim(6)]),
            Value("shape", DataType.Int64, [Dim(3)]),
            Value("starts", DataType.Int64, [Dim(1)]),
            Value("ends", DataType.Int64, [Dim(1)]),
            Value("split", DataType.Int64, [Dim(3)]),
            Value("a", DataType.Int32, [Dim(4)]),
            Value("b", DataType.Int32, [Dim(4)]),
            Value("target", DataType.Int64, [Dim(2)]));
        graph.Node.Add(Node("Reshape", "reshape", ["x", "shape"], ["r"]));
        graph.Node.Add(Node("Slice", "slice", ["x", "starts", "ends"], ["s"]));
        graph.Node.Add(Node("Split", "split_node", ["x", "split"], ["p0", "p1", "p2"], Int("axis", 1)));
        graph.Node.Add(Node("Div", "div", ["a", "b"], ["q"]));
        graph.Node.Add(Node("NegativeLogLikelihoodLoss", "nll", ["x", "target"], ["loss"]));
        foreach (string output in new[] { "r", "s", "p0", "p1", "p2", "q", "loss" })
        {
            graph.Output.Add(Value(output, output == "q" ? DataType.Int32 : DataType.Float, null));
        }
        ModelProto model = Model(graph, opset: 13);

        var samples = SampleInputGenerator.Generate(model, 4, seed: 3);

        Assert.Equal([0L, 0L, -1L], Data<long>(samples[0], "shape"));
        Assert.Equal([0L], Data<long>(samples[0], "starts"));
        Assert.Equal([int.MaxValue], Data<long>(samples[0], "ends"));
        Assert.Equal([2L, 2L, 2L], Data<long>(samples[0], "split"));
        Assert.All(samples.SelectMany(s => Data<int>(s, "b")), v => Assert.InRange(v, 1, 9));
        Assert.All(samples.SelectMany(s => Data<long>(s, "target")), v => Assert.InRange(v, 0, 5));
        using var temp = new TempFolder();
        string path = temp.File("model.onnx");
        OnnxModelWriter.WriteFile(model, path);
        using var verifier = new ModelVerifier(path, samples, latencyRuns: 1); // ONNX Runtime runs the original on them
    }
}
