using Microsoft.ML.OnnxRuntime;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Verification;

public sealed class OrtToolTests
{
    // Levels as strings: the enum is internal, and xunit theories must be public.
    public static TheoryData<string, string> OptimizableModels()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in new[] { "iris-classifier.onnx", "external-data.onnx", "transformer-encoder-small.onnx", "conv-net-small.onnx" })
        {
            foreach (string level in Enum.GetNames<OptimizationLevel>()) data.Add(name, level);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OptimizableModels))]
    public void Optimized_model_loads_and_gives_the_same_outputs(string name, string levelName)
    {
        var level = Enum.Parse<OptimizationLevel>(levelName);
        using var temp = new TempFolder();
        Zoo.Write(name, temp.Path);
        string original = temp.File(name);

        byte[] optimized = OrtGraphOptimizer.Optimize(File.ReadAllBytes(original), temp.Path, level);

        // Written into a folder of its own: the external data must have been inlined, not left behind.
        string variant = Path.Combine(temp.Path, "variant", name);
        Directory.CreateDirectory(Path.GetDirectoryName(variant)!);
        File.WriteAllBytes(variant, optimized);
        var model = OnnxModelReader.ReadFile(original);
        using var verifier = new ModelVerifier(original, SampleInputGenerator.Generate(model, 3, seed: 7), latencyRuns: 1);
        VerificationResult result = verifier.Verify(variant);
        Assert.All(result.Outputs, o =>
        {
            Assert.True(o.Cosine > 0.99999, $"{o.Output}: cosine {o.Cosine}");
            Assert.True(o.MaxAbsError < 1e-4, $"{o.Output}: max abs {o.MaxAbsError}");
        });
    }

    [Theory]
    [InlineData("iris-classifier.onnx")]
    [InlineData("transformer-encoder-small.onnx")]
    [InlineData("conv-net-small.onnx")]
    public void Optimizer_is_deterministic(string name)
    {
        using var temp = new TempFolder();
        Zoo.Write(name, temp.Path);
        byte[] input = File.ReadAllBytes(temp.File(name));
        foreach (OptimizationLevel level in Enum.GetValues<OptimizationLevel>())
        {
            byte[] first = OrtGraphOptimizer.Optimize(input, temp.Path, level);
            byte[] second = OrtGraphOptimizer.Optimize(input, temp.Path, level);
            Assert.Equal(first, second);
        }
    }

    [Fact]
    public void Extended_level_fuses_the_transformer()
    {
        using var temp = new TempFolder();
        Zoo.Write("transformer-encoder-small.onnx", temp.Path);
        byte[] input = File.ReadAllBytes(temp.File("transformer-encoder-small.onnx"));

        var basic = ModelProto.Parser.ParseFrom(OrtGraphOptimizer.Optimize(input, temp.Path, OptimizationLevel.Basic));
        var extended = ModelProto.Parser.ParseFrom(OrtGraphOptimizer.Optimize(input, temp.Path, OptimizationLevel.Extended));

        Assert.DoesNotContain(basic.Graph.Node, n => n.Domain == "com.microsoft");
        Assert.Contains(extended.Graph.Node, n => n.Domain == "com.microsoft");
        Assert.True(extended.Graph.Node.Count < basic.Graph.Node.Count);
    }

    [Fact]
    public void Optimizer_reports_a_model_ORT_rejects()
    {
        using var temp = new TempFolder();
        var graph = new GraphProto { Name = "bad" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(2)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(2)]));
        graph.Node.Add(Node("NoSuchOperator", "n", ["x"], ["y"]));

        var e = Assert.Throws<ModelToolException>(() =>
            OrtGraphOptimizer.Optimize(OnnxModelWriter.Serialize(Model(graph)), temp.Path, OptimizationLevel.Basic));
        Assert.Equal(ToolErrorCodes.OptimizeFailed, e.Code);
        Assert.Contains("NoSuchOperator", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("iris-classifier.onnx")]
    [InlineData("dynamic-dims.onnx")]
    [InlineData("external-data.onnx")]
    [InlineData("transformer-encoder-small.onnx")]
    public void Ort_format_is_deterministic_and_agrees_with_the_original(string name)
    {
        using var temp = new TempFolder();
        Zoo.Write(name, temp.Path);
        string original = temp.File(name);
        byte[] input = File.ReadAllBytes(original);

        // ORT itself writes its kernel-type resolver in hash order: several conversions must still agree.
        byte[] ort = OrtFormatConverter.ToOrtFormat(input, temp.Path);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ort, OrtFormatConverter.ToOrtFormat(input, temp.Path));
        }
        Assert.Equal(ort, OrtFormatCanonicalizer.Canonicalize(ort));
        Assert.Equal("ORTM"u8.ToArray(), ort[4..8]);

        // Loads back from bytes...
        using (var session = new InferenceSession(ort))
        {
            Assert.NotEmpty(session.OutputNames);
        }

        // ...and from a file, giving the original's outputs.
        string variant = temp.File("variant.ort");
        File.WriteAllBytes(variant, ort);
        var samples = SampleInputGenerator.Generate(OnnxModelReader.ReadFile(original), 2, seed: 3);
        using var verifier = new ModelVerifier(original, samples, latencyRuns: 1);
        Assert.All(verifier.Verify(variant).Outputs, o => Assert.True(o.Cosine > 0.99999 && o.MaxAbsError < 1e-4, $"{o.Output}: {o}"));
    }

    [Fact]
    public void Ort_format_of_an_optimized_model_agrees()
    {
        using var temp = new TempFolder();
        Zoo.Write("conv-net-small.onnx", temp.Path);
        string original = temp.File("conv-net-small.onnx");
        byte[] optimized = OrtGraphOptimizer.Optimize(File.ReadAllBytes(original), temp.Path, OptimizationLevel.Extended);
        byte[] ort = OrtFormatConverter.ToOrtFormat(optimized, temp.Path);
        Assert.Equal(ort, OrtFormatConverter.ToOrtFormat(optimized, temp.Path));

        File.WriteAllBytes(temp.File("variant.ort"), ort);
        var samples = SampleInputGenerator.Generate(OnnxModelReader.ReadFile(original), 2, seed: 3);
        using var verifier = new ModelVerifier(original, samples, latencyRuns: 1);
        var result = verifier.Verify(temp.File("variant.ort"));
        Assert.All(result.Outputs, o => Assert.True(o.Cosine > 0.99999, $"{o.Output}: {o.Cosine}"));
        Assert.Equal(1.0, result.Outputs.Single(o => o.Output == "logits").Top1Agreement);
    }

    [Fact]
    public void Required_operators_config_covers_subgraphs_functions_and_domains()
    {
        // Main graph: Relu, If (then: Add/Neg, else: a Loop whose body holds Mul), a com.microsoft op and a node of a
        // domain the model does not import (skipped, as ORT's script does); a local function holding Sigmoid.
        GraphProto Branch(string name, params NodeProto[] nodes)
        {
            var g = new GraphProto { Name = name };
            g.Node.AddRange(nodes);
            g.Output.Add(Value("out_" + name, DataType.Float, null));
            return g;
        }

        var loopBody = Branch("body", Node("Mul", "mul", ["a", "a"], ["out_body"]));
        var loop = Node("Loop", "loop", ["", "", "x"], ["out_else"]);
        loop.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = loopBody });
        var ifNode = Node("If", "if", ["cond"], ["y"]);
        ifNode.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph,
            G = Branch("then", Node("Add", "add", ["x", "x"], ["t"]), Node("Neg", "neg", ["t"], ["out_then"])) });
        ifNode.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph,
            G = Branch("else", loop) });

        var graph = new GraphProto { Name = "g" };
        graph.Node.Add(Node("Relu", "relu", ["x"], ["r"]));
        graph.Node.Add(ifNode);
        var fused = Node("FusedMatMul", "fm", ["r", "r"], ["f"]);
        fused.Domain = "com.microsoft";
        graph.Node.Add(fused);
        var custom = Node("Mystery", "m", ["f"], ["z"]);
        custom.Domain = "not.imported";
        graph.Node.Add(custom);

        var model = Model(graph, opset: 17);
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 3 }); // imported, unused: no line
        var function = new FunctionProto { Name = "Local", Domain = "local" };
        function.Node.Add(Node("Sigmoid", "s", ["a"], ["b"]));
        model.Functions.Add(function);

        string config = OrtFormatConverter.RequiredOperatorsConfig(model);

        Assert.Equal(
            "# Generated by ModelBuild from one ONNX model\n" +
            "ai.onnx;17;Add,If,Loop,Mul,Neg,Relu,Sigmoid\n" +
            "com.microsoft;1;FusedMatMul\n",
            config);
    }

    [Theory]
    [InlineData("Add;Sub")]
    [InlineData("Add,Sub")]
    [InlineData("Add\nai.onnx;1;Evil")]
    [InlineData("A dd")]
    public void Required_operators_config_refuses_names_that_break_its_syntax(string opType)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Node.Add(Node(opType, "n", ["x"], ["y"]));
        var e = Assert.Throws<ModelToolException>(() => OrtFormatConverter.RequiredOperatorsConfig(Model(graph)));
        Assert.Equal(ToolErrorCodes.OperatorNameInvalid, e.Code);
        Assert.DoesNotContain('\n', e.Message);
    }
}
