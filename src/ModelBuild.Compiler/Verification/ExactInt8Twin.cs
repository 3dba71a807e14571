using Google.Protobuf;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// The verification twin of a full-range int8 variant. On x64 CPUs without VNNI, ONNX Runtime's u8×s8 kernels add
/// pairs of products in 16 bits and saturate, so running the asset here would measure this machine's defect, not
/// the arithmetic of the ARM devices it is made for. The twin stores every int8 weight as uint8 (value + 128) with
/// a zero point of 128: the same integers, exactly, but run by the u8×u8 kernels, which widen before adding and
/// never saturate. Its outputs are what an exact int8 kernel (ARM dot products, VNNI) computes.
/// </summary>
internal static class ExactInt8Twin
{
    /// <summary>Rewrites <paramref name="model"/> in place; returns how many weights changed encoding.</summary>
    /// <param name="model">The variant's graph.</param>
    /// <param name="bytesOf">The bytes of an int8 weight (inline, or read from the variant's external data).</param>
    public static int Rewrite(ModelProto model, Func<TensorProto, byte[]> bytesOf)
    {
        var initializers = new Dictionary<string, (GraphProto Graph, TensorProto Tensor)>(StringComparer.Ordinal);
        var converted = new Dictionary<string, (string Weight, string ZeroPoint)>(StringComparer.Ordinal);
        int count = 0;
        void Visit(GraphProto graph)
        {
            foreach (TensorProto tensor in graph.Initializer)
            {
                initializers.TryAdd(tensor.Name, (graph, tensor));
            }
            foreach (NodeProto node in graph.Node)
            {
                if (node.OpType == "DynamicQuantizeMatMul" && node.Domain == "com.microsoft" && node.Input.Count >= 3
                    && (node.Input.Count < 4 || node.Input[3].Length == 0)
                    && initializers.TryGetValue(node.Input[1], out var weight)
                    && weight.Tensor.DataType == (int)DataType.Int8 && weight.Tensor.Dims.Count == 2)
                {
                    if (!converted.TryGetValue(node.Input[1], out var twin))
                    {
                        twin = Convert(weight.Graph, weight.Tensor, bytesOf(weight.Tensor), initializers.ContainsKey);
                        converted[node.Input[1]] = twin;
                        count++;
                    }
                    node.Input[1] = twin.Weight;
                    while (node.Input.Count < 4)
                    {
                        node.Input.Add("");
                    }
                    node.Input[3] = twin.ZeroPoint;
                }
                foreach (AttributeProto attribute in node.Attribute)
                {
                    if (attribute.G is { } body)
                    {
                        Visit(body);
                    }
                    foreach (GraphProto g in attribute.Graphs)
                    {
                        Visit(g);
                    }
                }
            }
        }
        Visit(model.Graph);
        return count;
    }

    private static (string Weight, string ZeroPoint) Convert(GraphProto graph, TensorProto weight, byte[] shifted, Func<string, bool> taken)
    {
        for (int i = 0; i < shifted.Length; i++)
        {
            shifted[i] = (byte)((sbyte)shifted[i] + 128);
        }
        long columns = weight.Dims[1];
        string name = weight.Name + "#u8";
        while (taken(name))
        {
            name += "#";
        }
        var u8 = new TensorProto { Name = name, DataType = (int)DataType.Uint8, RawData = ByteString.CopyFrom(shifted) };
        u8.Dims.Add(weight.Dims);
        var zeroPoint = new TensorProto { Name = name + "_zero_point", DataType = (int)DataType.Uint8, RawData = ByteString.CopyFrom(Enumerable.Repeat((byte)128, (int)columns).ToArray()) };
        zeroPoint.Dims.Add(columns);
        graph.Initializer.Add(u8);
        graph.Initializer.Add(zeroPoint);
        return (u8.Name, zeroPoint.Name);
    }
}
