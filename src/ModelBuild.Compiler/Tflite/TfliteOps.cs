using ModelBuild.Onnx.Protos;
using AttributeType = ModelBuild.Onnx.Protos.AttributeProto.Types.AttributeType;

namespace ModelBuild.Compiler.Tflite;

/// <summary>ONNX attribute builders for the converter.</summary>
internal static class TfliteOps
{
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };

    public static AttributeProto Graph(string name, GraphProto graph) => new() { Name = name, Type = AttributeType.Graph, G = graph };

    public static AttributeProto Ints(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
