using ModelBuild.Onnx.Protos;
using ModelZoo;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>Small deterministic models for the quantization transforms.</summary>
internal static class TestModels
{
    /// <summary>Weights uniform in ±1/sqrt(fanIn), as initializers commonly are.</summary>
    public static TensorProto Weight(string name, ulong seed, params long[] dims)
    {
        var rng = new SplitMix64(seed);
        long count = dims.Aggregate(1L, (a, b) => a * b);
        float bound = 1f / MathF.Sqrt(dims[0]);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++) values[i] = (rng.NextSingle() * 2f - 1f) * bound;
        return Floats(name, dims, values);
    }

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Tensor(string name, TensorProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public static AttributeProto Graph(string name, GraphProto value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = value };

    public static ValueInfoProto FloatValue(string name, params long[] dims) => Value(name, DataType.Float, dims.Select(d => Dim(d)).ToArray());

    /// <summary>x[batch,64] → MatMul W1[64,128] + Add(b1, ·) → Relu → Gemm(W2[96,128], transB=1, alpha 0.5, beta 2, C[96]) → Tanh → MatMul W3[96,48] → y.</summary>
    public static ModelProto Mlp()
    {
        var graph = new GraphProto { Name = "mlp" };
        graph.Input.Add(Value("x", DataType.Float, [Dim("batch"), Dim(64)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim("batch"), Dim(48)]));
        graph.Initializer.Add(Weight("W1", 1, 64, 128));
        graph.Initializer.Add(Weight("b1", 2, 128));
        graph.Initializer.Add(Weight("W2", 3, 96, 128));
        graph.Initializer.Add(Weight("C2", 4, 96));
        graph.Initializer.Add(Weight("W3", 5, 96, 48));
        graph.ValueInfo.Add(Value("mm1", DataType.Float, [Dim("batch"), Dim(128)]));
        graph.Node.Add(Node("MatMul", "fc1", ["x", "W1"], ["mm1"]));
        graph.Node.Add(Node("Add", "fc1_bias", ["b1", "mm1"], ["h1"]));
        graph.Node.Add(Node("Relu", "relu", ["h1"], ["r1"]));
        graph.Node.Add(Node("Gemm", "fc2", ["r1", "W2", "C2"], ["g"], Int("transB", 1), Float("alpha", 0.5f), Float("beta", 2f)));
        graph.Node.Add(Node("Tanh", "tanh", ["g"], ["t"]));
        graph.Node.Add(Node("MatMul", "fc3", ["t", "W3"], ["y"]));
        return Model(graph);
    }

    /// <summary>Gemm forms: C [1,N] without transB (folded); C [M,N] and transA=1 (kept).</summary>
    public static ModelProto Gemms()
    {
        var graph = new GraphProto { Name = "gemms" };
        graph.Input.Add(FloatValue("x", 4, 64));
        graph.Output.Add(FloatValue("y1", 4, 80));
        graph.Output.Add(FloatValue("y2", 4, 80));
        graph.Output.Add(FloatValue("y3", 4, 80));
        graph.Initializer.Add(Weight("W", 1, 64, 80));
        graph.Initializer.Add(Weight("Wt", 2, 64, 80));
        graph.Initializer.Add(Weight("C_row", 3, 1, 80));
        graph.Initializer.Add(Weight("C_full", 4, 4, 80));
        graph.Node.Add(Node("Gemm", "row", ["x", "W", "C_row"], ["y1"], Float("beta", 0.25f)));
        graph.Node.Add(Node("Gemm", "full", ["x", "W", "C_full"], ["y2"]));
        graph.Node.Add(Node("Transpose", "xt", ["x"], ["xT"]));
        graph.Node.Add(Node("Gemm", "transA", ["xT", "Wt"], ["y3"], Int("transA", 1)));
        return Model(graph);
    }

    /// <summary>Opset 9 with weights in Constant nodes (PaddleOCR-style export): MatMul(x, Constant W) + Constant b.</summary>
    public static ModelProto ConstantWeights()
    {
        var graph = new GraphProto { Name = "constants" };
        graph.Input.Add(FloatValue("x", 2, 64));
        graph.Output.Add(FloatValue("y", 2, 80));
        graph.Node.Add(Node("Constant", "w_const", [], ["w"], Tensor("value", Weight("w_value", 1, 64, 80))));
        graph.Node.Add(Node("Constant", "b_const", [], ["b"], Tensor("value", Weight("b_value", 2, 80))));
        graph.Node.Add(Node("MatMul", "fc", ["x", "w"], ["mm"]));
        graph.Node.Add(Node("Add", "fc_bias", ["mm", "b"], ["y"]));
        return Model(graph, irVersion: 4, opset: 9);
    }

    /// <summary>
    /// W [64,64] in the main graph is read by a main-graph MatMul and, from the outer scope, by the If's then-branch;
    /// the else-branch has its own initializer and a Constant-node weight.
    /// </summary>
    public static ModelProto IfSubgraph()
    {
        var then = new GraphProto { Name = "then" };
        then.Output.Add(FloatValue("then_out", 2, 64));
        then.Node.Add(Node("MatMul", "then_fc", ["x", "W"], ["then_out"]));

        var otherwise = new GraphProto { Name = "else" };
        otherwise.Output.Add(FloatValue("else_out", 2, 64));
        otherwise.Initializer.Add(Weight("W_else", 7, 64, 64));
        otherwise.Node.Add(Node("Constant", "else_w2", [], ["W_else2"], Tensor("value", Weight("W_else2_value", 8, 64, 64))));
        otherwise.Node.Add(Node("MatMul", "else_fc", ["x", "W_else"], ["else_h"]));
        otherwise.Node.Add(Node("MatMul", "else_fc2", ["else_h", "W_else2"], ["else_out"]));

        var graph = new GraphProto { Name = "branches" };
        graph.Input.Add(FloatValue("x", 2, 64));
        graph.Input.Add(Value("cond", DataType.Bool, []));
        graph.Output.Add(FloatValue("y", 2, 64));
        graph.Output.Add(FloatValue("z", 2, 64));
        graph.Initializer.Add(Weight("W", 6, 64, 64));
        graph.Node.Add(Node("If", "branch", ["cond"], ["y"], Graph("then_branch", then), Graph("else_branch", otherwise)));
        graph.Node.Add(Node("MatMul", "main_fc", ["x", "W"], ["z"]));
        return Model(graph);
    }

    /// <summary>W [64,64] read by two MatMuls and by a Gather (which needs it in fp32).</summary>
    public static ModelProto SharedWeight(bool withGather)
    {
        var graph = new GraphProto { Name = "shared" };
        graph.Input.Add(FloatValue("x", 3, 64));
        graph.Output.Add(FloatValue("y", 3, 64));
        graph.Initializer.Add(Weight("W", 1, 64, 64));
        graph.Node.Add(Node("MatMul", "fc_a", ["x", "W"], ["a"]));
        graph.Node.Add(Node("Relu", "relu", ["a"], ["r"]));
        graph.Node.Add(Node("MatMul", "fc_b", ["r", "W"], ["y"]));
        if (withGather)
        {
            var indices = new TensorProto { Name = "rows", DataType = (int)DataType.Int64 };
            indices.Dims.Add(2);
            indices.Int64Data.Add([0, 5]);
            graph.Initializer.Add(indices);
            graph.Output.Add(FloatValue("e", 2, 64));
            graph.Node.Add(Node("Gather", "embed", ["W", "rows"], ["e"]));
        }

        return Model(graph);
    }

    /// <summary>A MatMul with an 8×8 weight (64 elements) next to a big one.</summary>
    public static ModelProto TinyWeight()
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Input.Add(FloatValue("x", 2, 8));
        graph.Output.Add(FloatValue("y", 2, 64));
        graph.Initializer.Add(Weight("W_tiny", 1, 8, 8));
        graph.Initializer.Add(Weight("W_big", 2, 8, 64));
        graph.Initializer.Add(Weight("W_big2", 3, 64, 64));
        graph.Node.Add(Node("MatMul", "small", ["x", "W_tiny"], ["h"]));
        graph.Node.Add(Node("MatMul", "wide", ["h", "W_big"], ["h2"]));
        graph.Node.Add(Node("MatMul", "big", ["h2", "W_big2"], ["y"]));
        return Model(graph);
    }

    /// <summary>
    /// Embedding lookups: word [50, 96] gathered by ids [batch, 3] and by a scalar id (one int8 copy for both);
    /// cols [64, 80] gathered on axis 1 (not a row lookup); tied [64, 80] gathered and also transposed (read elsewhere).
    /// </summary>
    public static ModelProto Embeddings(long opset = 13)
    {
        var graph = new GraphProto { Name = "embeddings" };
        graph.Input.Add(Value("ids", DataType.Int64, [Dim("batch"), Dim(3)]));
        graph.Input.Add(Value("one", DataType.Int64, []));
        graph.Output.Add(Value("e", DataType.Float, [Dim("batch"), Dim(3), Dim(96)]));
        graph.Output.Add(FloatValue("s", 96));
        graph.Output.Add(Value("c", DataType.Float, [Dim(64), Dim("batch"), Dim(3)]));
        graph.Output.Add(Value("g", DataType.Float, [Dim("batch"), Dim(3), Dim(80)]));
        graph.Output.Add(FloatValue("tt", 80, 64));
        graph.Initializer.Add(Weight("word", 1, 50, 96));
        graph.Initializer.Add(Weight("cols", 2, 64, 80));
        graph.Initializer.Add(Weight("tied", 3, 64, 80));
        graph.Node.Add(Node("Gather", "word_lookup", ["word", "ids"], ["e"], Int("axis", 0)));
        graph.Node.Add(Node("Gather", "word_one", ["word", "one"], ["s"]));
        graph.Node.Add(Node("Gather", "cols_lookup", ["cols", "ids"], ["c"], Int("axis", 1)));
        graph.Node.Add(Node("Gather", "tied_lookup", ["tied", "ids"], ["g"]));
        graph.Node.Add(Node("Transpose", "tied_t", ["tied"], ["tt"]));
        return Model(graph, opset: opset);
    }
}
