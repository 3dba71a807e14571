using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelZoo.Models;

/// <summary>
/// external-data.onnx: y = x·W + B with W [4,3] and B [3] stored in the side file
/// external-data.onnx.data (W at offset 0, B at offset 64, as onnx aligns tensors).
/// </summary>
public static class ExternalDataModel
{
    public const string DataFileName = "external-data.onnx.data";
    public const long BiasOffset = 64;

    public static float[] Weights { get; } = [.. Enumerable.Range(1, 12).Select(i => i * 0.5f)];
    public static float[] Bias { get; } = [0.25f, -0.5f, 1f];

    public static ModelProto Build()
    {
        var graph = new GraphProto { Name = "external" };
        graph.Input.Add(Value("x", DataType.Float, [Dim("batch"), Dim(4)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim("batch"), Dim(3)]));
        graph.Initializer.Add(External("W", [4, 3], offset: 0, length: Weights.Length * sizeof(float)));
        graph.Initializer.Add(External("B", [3], offset: BiasOffset, length: Bias.Length * sizeof(float)));
        graph.Node.Add(Node("MatMul", "matmul", ["x", "W"], ["xw"]));
        graph.Node.Add(Node("Add", "add", ["xw", "B"], ["y"]));
        return Model(graph);
    }

    /// <summary>The side file: W, zero padding up to <see cref="BiasOffset"/>, then B.</summary>
    public static byte[] BuildDataFile()
    {
        var data = new byte[BiasOffset + Bias.Length * sizeof(float)];
        FloatBytes(Weights).CopyTo(data, 0);
        FloatBytes(Bias).CopyTo(data, BiasOffset);
        return data;
    }

    private static TensorProto External(string name, long[] dims, long offset, long length)
    {
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)DataType.Float,
            DataLocation = TensorProto.Types.DataLocation.External,
        };
        tensor.Dims.AddRange(dims);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = DataFileName });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return tensor;
    }
}
