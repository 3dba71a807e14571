using System.Buffers.Binary;
using Google.Protobuf;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;
using Dimension = ModelBuild.Onnx.Protos.TensorShapeProto.Types.Dimension;

namespace ModelZoo;

/// <summary>Small helpers to write ONNX graphs by hand, without the onnx Python package.</summary>
public static class OnnxBuilder
{
    public const string Producer = "ModelBuild.ModelZoo";
    public const string ProducerVersion = "1.0";

    public static ModelProto Model(GraphProto graph, long irVersion = 8, long opset = 13, string docString = "")
    {
        var model = new ModelProto
        {
            IrVersion = irVersion,
            ProducerName = Producer,
            ProducerVersion = ProducerVersion,
            Graph = graph,
        };
        if (docString.Length > 0) model.DocString = docString;
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    public static Dimension Dim(long value) => new() { DimValue = value };

    public static Dimension Dim(string param) => new() { DimParam = param };

    /// <summary>A dimension with neither value nor name: any size.</summary>
    public static Dimension AnyDim() => new();

    /// <summary>A tensor value; <paramref name="shape"/> null means rank unknown (no shape at all).</summary>
    public static ValueInfoProto Value(string name, DataType type, Dimension[]? shape, string docString = "")
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)type };
        if (shape is not null)
        {
            tensor.Shape = new TensorShapeProto();
            tensor.Shape.Dim.AddRange(shape);
        }

        var value = new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
        if (docString.Length > 0) value.DocString = docString;
        return value;
    }

    public static NodeProto Node(string opType, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>An int64 tensor (shapes, indices) with its values in int64_data.</summary>
    public static TensorProto Int64s(string name, long[] dims, long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }

    /// <summary>A float scalar (rank 0) constant.</summary>
    public static TensorProto Scalar(string name, float value) => Floats(name, [], [value]);

    /// <summary>A float tensor with its values in raw_data (little-endian), as exporters write them.</summary>
    public static TensorProto Floats(string name, long[] dims, float[] values)
    {
        // The byte array is ours alone, so it is wrapped rather than copied (the full-size zoo models are 170 MB).
        var tensor = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = UnsafeByteOperations.UnsafeWrap(FloatBytes(values)) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    public static byte[] FloatBytes(float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return bytes;
    }
}
