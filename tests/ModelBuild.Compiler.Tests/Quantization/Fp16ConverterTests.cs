using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Quantization;

public sealed class Fp16ConverterTests
{
    private const double MinCosine = 0.9999;

    private static List<string> Ops(GraphProto graph) => Int8DynamicQuantizerTests.Ops(graph);

    private static (ModelProto Converted, QuantizationResult Result) Storage(ModelProto model)
    {
        ModelProto clone = model.Clone();
        return (clone, Fp16WeightConverter.Apply(clone));
    }

    private static (ModelProto Converted, QuantizationResult Result) Compute(ModelProto model)
    {
        ModelProto clone = model.Clone();
        return (clone, Fp16GraphConverter.Apply(clone));
    }

    private static int ElemType(ValueInfoProto value) => value.Type.TensorType.ElemType;

    [Fact]
    public void Storage_halves_big_float_initializers_behind_casts_and_keeps_small_ones()
    {
        ModelProto model = TestModels.Mlp();
        var (converted, result) = Storage(model);

        Assert.Equal(3, result.QuantizedNodes); // W1, W2, W3
        Assert.Equal(2, result.KeptNodes);      // b1 (128), C2 (96)
        Assert.Equal(["2 float tensor(s) under 1024 elements kept fp32"], result.KeptReasons);
        var graph = converted.Graph;
        Assert.Equal(["Cast", "Cast", "Cast", "MatMul", "Add", "Relu", "Gemm", "Tanh", "MatMul"], Ops(graph));
        Assert.Equal(["W1_fp16", "b1", "W2_fp16", "C2", "W3_fp16"], graph.Initializer.Select(t => t.Name));
        var w1 = graph.Initializer[0];
        Assert.Equal((int)DataType.Float16, w1.DataType);
        Assert.Equal(64 * 128 * 2, w1.RawData.Length);
        Assert.Equal(["W1_fp16"], graph.Node[0].Input);
        Assert.Equal(["W1"], graph.Node[0].Output);
        Assert.Equal((int)DataType.Float, graph.Node[0].Attribute.Single(a => a.Name == "to").I);

        Assert.InRange((double)OnnxModelWriter.Serialize(converted).Length / OnnxModelWriter.Serialize(model).Length, 0.45, 0.55);
        double cosine = Ort.Compare(model, converted, Ort.RandomInputs(31, ("x", [16, 64])));
        Assert.True(cosine >= MinCosine, $"cosine {cosine}");
    }

    [Fact]
    public void Storage_converts_constant_nodes_and_subgraph_tensors()
    {
        ModelProto constants = TestModels.ConstantWeights();
        var (converted, result) = Storage(constants);
        Assert.Equal(1, result.QuantizedNodes);
        Assert.Equal(["Constant", "Cast", "Constant", "MatMul", "Add"], Ops(converted.Graph));
        Assert.Equal((int)DataType.Float16, converted.Graph.Node[0].Attribute[0].T.DataType);
        Assert.Equal(["w_fp16"], converted.Graph.Node[0].Output);
        Assert.Equal(["w"], converted.Graph.Node[1].Output);
        Assert.True(Ort.Compare(constants, converted, Ort.RandomInputs(32, ("x", [2, 64]))) >= MinCosine);

        ModelProto branches = TestModels.IfSubgraph();
        var (convertedBranches, branchResult) = Storage(branches);
        Assert.Equal(3, branchResult.QuantizedNodes); // W (main), W_else (initializer), W_else2 (Constant)
        var otherwise = convertedBranches.Graph.Node.Single(n => n.OpType == "If").Attribute.Single(a => a.Name == "else_branch").G;
        Assert.Equal(["Cast", "Constant", "Cast", "MatMul", "MatMul"], Ops(otherwise));
        foreach (bool cond in new[] { true, false })
        {
            var flag = NamedOnnxValue.CreateFromTensor("cond", new DenseTensor<bool>(new[] { cond }, []));
            Assert.True(Ort.Compare(branches, convertedBranches, Ort.RandomInputs(33, ("x", [2, 64])), [flag]) >= MinCosine);
        }
    }

    [Fact]
    public void Storage_is_deterministic_and_idempotent()
    {
        foreach (ModelProto model in new[] { TestModels.Mlp(), TestModels.IfSubgraph(), TestModels.ConstantWeights() })
        {
            byte[] first = OnnxModelWriter.Serialize(Storage(model).Converted);
            Assert.Equal(first, OnnxModelWriter.Serialize(Storage(model).Converted));
            var (again, result) = Storage(Storage(model).Converted);
            Assert.Equal(0, result.QuantizedNodes);
            Assert.Equal(first, OnnxModelWriter.Serialize(again));
        }
    }

    /// <summary>
    /// x → MatMul W → Add b → LayerNormalization → Relu → Mul(Cast(Shape) as float) → y; TopK on y (kept fp32) → values, indices.
    /// </summary>
    private static ModelProto Mixed()
    {
        var graph = new GraphProto { Name = "mixed" };
        graph.Input.Add(TestModels.FloatValue("x", 4, 64));
        graph.Output.Add(TestModels.FloatValue("y", 4, 96));
        graph.Output.Add(TestModels.FloatValue("values", 4, 5));
        graph.Output.Add(Value("indices", DataType.Int64, [Dim(4), Dim(5)]));
        graph.Initializer.Add(TestModels.Weight("W", 1, 64, 96));
        graph.Initializer.Add(TestModels.Weight("b", 2, 96));
        graph.Initializer.Add(TestModels.Weight("gamma", 3, 96));
        graph.Initializer.Add(TestModels.Weight("beta", 4, 96));
        graph.Initializer.Add(Int64s("k", [1], [5]));
        graph.ValueInfo.Add(TestModels.FloatValue("mm", 4, 96));
        graph.Node.Add(Node("MatMul", "fc", ["x", "W"], ["mm"]));
        graph.Node.Add(Node("Add", "fc_bias", ["mm", "b"], ["h"]));
        graph.Node.Add(Node("LayerNormalization", "norm", ["h", "gamma", "beta"], ["n"], Float("epsilon", 1e-12f)));
        graph.Node.Add(Node("Relu", "relu", ["n"], ["r"]));
        graph.Node.Add(Node("Shape", "shape", ["r"], ["s"], Int("start", 0), Int("end", 1)));
        graph.Node.Add(Node("Cast", "to_float", ["s"], ["sf"], Int("to", (int)DataType.Float)));
        graph.Node.Add(Node("Constant", "quarter", [], ["q"], new AttributeProto { Name = "value_float", Type = AttributeProto.Types.AttributeType.Float, F = 0.25f }));
        graph.Node.Add(Node("Mul", "scale", ["sf", "q"], ["factor"]));
        graph.Node.Add(Node("Mul", "apply", ["r", "factor"], ["y"]));
        graph.Node.Add(Node("TopK", "top", ["y", "k"], ["values", "indices"]));
        return Model(graph, opset: 17);
    }

    [Fact]
    public void Compute_converts_the_graph_and_keeps_float_inputs_outputs_and_fp32_ops()
    {
        ModelProto model = Mixed();
        var (converted, result) = Compute(model);
        var graph = converted.Graph;

        Assert.Equal(["TopK: 1 node kept fp32 (fp32 op)"], result.KeptReasons);
        Assert.Equal(9, result.QuantizedNodes);

        // Inputs and outputs are float as before; x is cast once, y leaves through a Cast, TopK reads a float copy.
        Assert.Equal([(int)DataType.Float], graph.Input.Select(ElemType));
        Assert.Equal([(int)DataType.Float, (int)DataType.Float, (int)DataType.Int64], graph.Output.Select(ElemType));
        Assert.Equal(
            ["Cast", "MatMul", "Add", "LayerNormalization", "Relu", "Shape", "Cast", "Constant", "Mul", "Mul", "Cast", "TopK"],
            Ops(graph));
        Assert.Equal(["x"], graph.Node[0].Input);
        Assert.Equal((int)DataType.Float16, graph.Node[0].Attribute[0].I);
        Assert.Equal(["y_fp16"], graph.Node[9].Output);
        Assert.Equal(["y_fp16"], graph.Node[10].Input);
        Assert.Equal(["y"], graph.Node[10].Output);
        Assert.Equal(["y", "k"], graph.Node[11].Input);

        // Constants and attributes: float initializers fp16 (int64 untouched), Cast(to=FLOAT) now to FLOAT16, value_float a fp16 tensor.
        Assert.All(graph.Initializer.Where(t => t.Name != "k"), t => Assert.Equal((int)DataType.Float16, t.DataType));
        Assert.Equal((int)DataType.Int64, graph.Initializer.Single(t => t.Name == "k").DataType);
        Assert.Equal((int)DataType.Float16, graph.Node[6].Attribute.Single(a => a.Name == "to").I);
        Assert.Equal((int)DataType.Float16, graph.Node[7].Attribute.Single().T.DataType);
        Assert.Equal((int)DataType.Float16, ElemType(graph.ValueInfo.Single(v => v.Name == "mm")));

        double cosine = Ort.Compare(model, converted, Ort.RandomInputs(34, ("x", [4, 64])));
        Assert.True(cosine >= 0.999, $"cosine {cosine}");
    }

    [Fact]
    public void Compute_keeps_if_nodes_fp32_and_gives_their_branches_float_copies_of_outer_values()
    {
        ModelProto model = TestModels.IfSubgraph();
        var (converted, result) = Compute(model);
        Assert.Contains("If: 1 node kept fp32 (fp32 op)", result.KeptReasons);

        var graph = converted.Graph;
        var branch = graph.Node.Single(n => n.OpType == "If");
        var then = branch.Attribute.Single(a => a.Name == "then_branch").G;
        // W is fp16 now (main_fc reads it); the then-branch reads a float copy made before the If.
        Assert.Equal((int)DataType.Float16, graph.Initializer.Single(t => t.Name == "W").DataType);
        Assert.Equal(["x", "W_fp32"], then.Node.Single().Input);
        Assert.True(graph.Node.ToList().FindIndex(n => n.Output.Contains("W_fp32")) < graph.Node.IndexOf(branch));

        foreach (bool cond in new[] { true, false })
        {
            var flag = NamedOnnxValue.CreateFromTensor("cond", new DenseTensor<bool>(new[] { cond }, []));
            double cosine = Ort.Compare(model, converted, Ort.RandomInputs(35, ("x", [2, 64])), [flag]);
            Assert.True(cosine >= MinCosine, $"cond {cond}: cosine {cosine}");
        }
    }

    [Fact]
    public void Compute_is_deterministic()
    {
        foreach (ModelProto model in new[] { Mixed(), TestModels.Mlp(), TestModels.IfSubgraph() })
        {
            Assert.Equal(OnnxModelWriter.Serialize(Compute(model).Converted), OnnxModelWriter.Serialize(Compute(model).Converted));
        }
    }

    [Fact]
    public void Compute_on_the_mlp_matches_fp32()
    {
        ModelProto model = TestModels.Mlp();
        var (converted, result) = Compute(model);
        Assert.Equal(0, result.KeptNodes);
        Assert.All(converted.Graph.Initializer, t => Assert.Equal((int)DataType.Float16, t.DataType));
        double cosine = Ort.Compare(model, converted, Ort.RandomInputs(36, ("x", [16, 64])));
        Assert.True(cosine >= MinCosine, $"cosine {cosine}");
    }
}
