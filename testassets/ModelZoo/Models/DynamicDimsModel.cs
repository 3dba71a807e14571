using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelZoo.Models;

/// <summary>
/// dynamic-dims.onnx: x is [2, "seq", ?] (a fixed dim, a named dim, and one with neither value nor
/// name); "anything" has no shape at all (rank unknown).
/// </summary>
public static class DynamicDimsModel
{
    public static ModelProto Build()
    {
        var graph = new GraphProto { Name = "dynamic" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(2), Dim("seq"), AnyDim()], "Fixed, named and unnamed dimensions"));
        graph.Input.Add(Value("anything", DataType.Float, null, "Rank unknown"));
        graph.Output.Add(Value("y", DataType.Float, [Dim(2), Dim("seq"), AnyDim()], "Relu of x"));
        graph.Output.Add(Value("same", DataType.Float, null, "Identity of anything"));
        graph.Node.Add(Node("Relu", "relu", ["x"], ["y"]));
        graph.Node.Add(Node("Identity", "identity", ["anything"], ["same"]));
        return Model(graph);
    }
}
