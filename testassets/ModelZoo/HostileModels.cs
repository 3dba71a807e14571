using Google.Protobuf;
using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelZoo;

/// <summary>Small models, crafted here, that try to hang, exhaust or crash the compiler.</summary>
public static class HostileModels
{
    /// <summary>
    /// y = Loop(no trip count, condition constant true)(x): the body passes x through and never clears the condition.
    /// With <paramref name="growingScanFloats"/> &gt; 0 each iteration also emits a scan output of that many floats,
    /// which ONNX Runtime keeps until the loop ends: memory grows without bound.
    /// </summary>
    public static ModelProto EndlessLoop(int growingScanFloats = 0)
    {
        var body = new GraphProto { Name = "body" };
        body.Input.Add(Value("i", DataType.Int64, []));
        body.Input.Add(Value("c", DataType.Bool, []));
        body.Input.Add(Value("v", DataType.Float, [Dim(1)]));
        body.Node.Add(Node("Identity", "keep_going", ["c"], ["c_out"]));
        body.Node.Add(Node("Identity", "pass", ["v"], ["v_out"]));
        body.Output.Add(Value("c_out", DataType.Bool, []));
        body.Output.Add(Value("v_out", DataType.Float, [Dim(1)]));
        if (growingScanFloats > 0)
        {
            body.Node.Add(Node("Constant", "scan_shape", [], ["scan_shape"], Tensor("value", Int64s("", [1], [growingScanFloats]))));
            body.Node.Add(Node("ConstantOfShape", "grow", ["scan_shape"], ["scan"], Tensor("value", Floats("", [1], [1f]))));
            body.Output.Add(Value("scan", DataType.Float, [Dim(growingScanFloats)]));
        }

        var graph = new GraphProto { Name = "endless" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(1)]));
        graph.Initializer.Add(new TensorProto { Name = "forever", DataType = (int)DataType.Bool, Int32Data = { 1 } });
        var loop = Node("Loop", "endless_loop", ["", "forever", "x"], growingScanFloats > 0 ? ["y", "scans"] : ["y"],
            new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        graph.Node.Add(loop);
        graph.Output.Add(Value("y", DataType.Float, [Dim(1)]));
        if (growingScanFloats > 0)
        {
            graph.Output.Add(Value("scans", DataType.Float, null));
        }
        return Model(graph, opset: 16);
    }

    /// <summary>
    /// <see cref="EndlessLoop"/> beside a Conv on a second input (image [1, 2, 4, 4] → features): static int8 takes
    /// the Conv and then runs the whole model, whose loop never ends, to compare candidates with the original.
    /// </summary>
    public static ModelProto ConvBesideEndlessLoop()
    {
        ModelProto model = EndlessLoop();
        GraphProto graph = model.Graph;
        graph.Input.Add(Value("image", DataType.Float, [Dim(1), Dim(2), Dim(4), Dim(4)]));
        graph.Initializer.Add(Floats("conv_w", [2, 2, 1, 1], [0.5f, -0.25f, 0.75f, 1f]));
        graph.Node.Add(Node("Conv", "conv", ["image", "conv_w"], ["features"]));
        graph.Output.Add(Value("features", DataType.Float, [Dim(1), Dim(2), Dim(4), Dim(4)]));
        return model;
    }

    /// <summary>y = ReduceSum(ConstantOfShape([<paramref name="elements"/>])) + x: 174 bytes that ask for elements × 4 bytes.</summary>
    public static ModelProto HugeConstantOfShape(long elements = 1L << 31)
    {
        var graph = new GraphProto { Name = "huge" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(1)]));
        graph.Initializer.Add(Int64s("shape", [1], [elements]));
        graph.Node.Add(Node("ConstantOfShape", "fill", ["shape"], ["filled"]));
        graph.Node.Add(Node("ReduceSum", "sum", ["filled"], ["total"], Int("keepdims", 1)));
        graph.Node.Add(Node("Add", "add", ["total", "x"], ["y"]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(1)]));
        return Model(graph);
    }

    /// <summary>x [2^32, 2^32, 4] → Relu: the element count overflows int64.</summary>
    public static ModelProto OverflowingInput()
    {
        var graph = new GraphProto { Name = "overflow" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(1L << 32), Dim(1L << 32), Dim(4)]));
        graph.Node.Add(Node("Relu", "relu", ["x"], ["y"]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(1L << 32), Dim(1L << 32), Dim(4)]));
        return Model(graph);
    }

    public static string Write(ModelProto model, string folder, string name)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static AttributeProto Tensor(string name, TensorProto value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };
}
