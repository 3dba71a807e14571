using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Element types of a graph's tensor values without full shape inference: declared types (inputs, outputs,
/// value_info, initializers) plus per-op rules for the default domain. 0 = unknown (sequence, map, unknown op).
/// </summary>
internal static class ElementTypes
{
    private const int Float = (int)DataType.Float, Int64 = (int)DataType.Int64, Bool = (int)DataType.Bool, UInt8 = (int)DataType.Uint8, Int32 = (int)DataType.Int32;

    private static readonly HashSet<string> BoolOutput = new(StringComparer.Ordinal)
    {
        "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf", "RegexFullMatch",
    };

    private static readonly HashSet<string> Int64Output = new(StringComparer.Ordinal) { "Shape", "Size", "NonZero", "ArgMax", "ArgMin", "NonMaxSuppression" };

    /// <summary>Default-domain ops whose outputs are neither tensors of a fixed type nor of input 0's type.</summary>
    private static readonly HashSet<string> Unknown = new(StringComparer.Ordinal)
    {
        "SequenceConstruct", "SequenceEmpty", "SequenceAt", "SequenceInsert", "SequenceErase", "SequenceLength", "SequenceMap",
        "SplitToSequence", "ConcatFromSequence", "Optional", "OptionalGetElement", "OptionalHasElement", "StringNormalizer",
        "StringConcat", "StringSplit", "ImageDecoder", "TfIdfVectorizer", "Multinomial", "QLinearConv", "QLinearMatMul",
    };

    public static Dictionary<string, int> Infer(GraphProto graph)
    {
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in graph.Input.Concat(graph.ValueInfo).Concat(graph.Output))
        {
            if (value.Type?.TensorType is { } tensor && tensor.ElemType != 0) types[value.Name] = tensor.ElemType;
        }

        foreach (var tensor in graph.Initializer) types[tensor.Name] = tensor.DataType;
        foreach (var node in graph.Node)
        {
            int[] outputs = Outputs(node, name => types.GetValueOrDefault(name));
            for (int i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i].Length == 0) continue;
                int rule = i < outputs.Length ? outputs[i] : 0;
                if (rule != 0) types[node.Output[i]] = rule; // declared value_info of a known op agrees; rules win on conflict
                else types.TryAdd(node.Output[i], 0);
            }
        }

        return types;
    }

    private static int[] Outputs(NodeProto node, Func<string, int> typeOf)
    {
        if (!GraphScope.IsDefaultDomain(node)) return [];
        int In(int i) => i < node.Input.Count && node.Input[i].Length > 0 ? typeOf(node.Input[i]) : 0;
        long? Attr(string name) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : null;
        int n = node.Output.Count;
        int[] All(int type) => Enumerable.Repeat(type, n).ToArray();
        string op = node.OpType;

        if (BoolOutput.Contains(op)) return All(Bool);
        if (Int64Output.Contains(op)) return All(Int64);
        if (Unknown.Contains(op) || GraphScope.Subgraphs(node).Any()) return [];
        return op switch
        {
            "Cast" => All((int)(Attr("to") ?? 0)),
            "CastLike" => All(In(1)),
            "Constant" => [ConstantType(node)],
            "ConstantOfShape" => [node.Attribute.FirstOrDefault(a => a.Name == "value")?.T?.DataType ?? Float],
            "EyeLike" or "RandomNormalLike" or "RandomUniformLike" or "Bernoulli" => All((int)(Attr("dtype") ?? In(0))),
            "RandomNormal" or "RandomUniform" => All((int)(Attr("dtype") ?? Float)),
            "HannWindow" or "HammingWindow" or "BlackmanWindow" or "MelWeightMatrix" => All((int)(Attr("output_datatype") ?? Float)),
            "TopK" => [In(0), Int64],
            "MaxPool" => [In(0), Int64],
            "Unique" => [In(0), Int64, Int64, Int64],
            "Dropout" => [In(0), Bool],
            "LayerNormalization" => [In(0), Float, Float],
            "Where" => All(In(1)),
            "OneHot" => All(In(2)),
            "QuantizeLinear" => All(In(2) != 0 ? In(2) : UInt8),
            "DequantizeLinear" => All(In(1)),
            "DynamicQuantizeLinear" => [UInt8, Float, UInt8],
            "MatMulInteger" or "ConvInteger" => All(Int32),
            _ => All(In(0)),
        };
    }

    private static int ConstantType(NodeProto node)
    {
        var attribute = node.Attribute.FirstOrDefault();
        return attribute?.Name switch
        {
            "value" => attribute.T?.DataType ?? 0,
            "value_float" or "value_floats" => Float,
            "value_int" or "value_ints" => Int64,
            "value_string" or "value_strings" => (int)DataType.String,
            _ => 0,
        };
    }
}
