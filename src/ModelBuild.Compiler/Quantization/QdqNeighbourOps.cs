using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// The ops between quantized Convs that ONNX Runtime's CPU provider also runs on uint8 once their inputs and output
/// are in QDQ form: Add, Mul, Concat, (Global)AveragePool, Sigmoid and LeakyRelu become QLinear* ops; MaxPool, Resize,
/// Reshape and Transpose drop their Q/DQ and pass uint8 through when the output's scale and zero point are the
/// input's. Without them every int8 Conv's result is dequantized for the float op and quantized again after it.
/// A scalar constant operand of Add or Mul (PP-LCNetV3's learnable affine blocks) is written as a uint8 code whose
/// DequantizeLinear gives it back exactly.
/// </summary>
internal static class QdqNeighbourOps
{
    private static readonly HashSet<string> Fused = ["Add", "Mul", "Concat", "AveragePool", "GlobalAveragePool", "Sigmoid", "LeakyRelu"];

    private static readonly HashSet<string> PassThrough = ["MaxPool", "Resize", "Reshape", "Transpose"];

    /// <summary>
    /// The neighbour ops' tensors to quantize beyond the Convs' own, for pass-through ops which tensor's scale an output
    /// takes, and the scalar constant operands (node, input index) to read through a DequantizeLinear.
    /// </summary>
    public sealed record Plan(IReadOnlyList<string> Tensors, IReadOnlyDictionary<string, string> SameScaleAs, IReadOnlyList<(NodeProto Node, int Input)> Constants)
    {
        public static readonly Plan None = new([], new Dictionary<string, string>(), []);

        /// <summary>The tensor whose calibrated range <paramref name="tensor"/> uses.</summary>
        public string RangeOf(string tensor)
        {
            while (SameScaleAs.TryGetValue(tensor, out string? source)) tensor = source;
            return tensor;
        }
    }

    /// <summary>
    /// Spreads from the quantized Convs' tensors (<paramref name="convs"/>) through the ops above, then keeps only the
    /// ops whose result is read by an int8 op (another neighbour op or a Conv): a chain that ends in a float op would
    /// only add a Q/DQ pair.
    /// </summary>
    public static Plan Find(ModelProto model, IReadOnlyCollection<ConvSite> convs)
    {
        var scope = new GraphScope(model.Graph, null, model.IrVersion);
        var consumers = scope.Consumers();
        var quantized = new HashSet<string>(convs.SelectMany(s => new[] { s.Input, s.OutputPoint }), StringComparer.Ordinal);
        var int8Readers = new HashSet<NodeProto>(convs.Select(s => s.Node), ReferenceEqualityComparer.Instance);
        var selected = new List<NodeProto>();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (NodeProto node in model.Graph.Node)
            {
                if (int8Readers.Contains(node) || DataInputs(node, scope) is not { } inputs) continue;
                string output = node.Output[0];
                if (!inputs.Append(output).Any(quantized.Contains)) continue;
                quantized.UnionWith(inputs.Append(output));
                int8Readers.Add(node);
                selected.Add(node);
                grew = true;
            }
        }

        // Drop ops whose result only float ops read, until none is left.
        for (bool shrank = true; shrank;)
        {
            shrank = false;
            foreach (NodeProto node in selected.ToList())
            {
                if (consumers.TryGetValue(node.Output[0], out var readers) && readers.Any(int8Readers.Contains)) continue;
                selected.Remove(node);
                int8Readers.Remove(node);
                shrank = true;
            }
        }

        var seeds = new HashSet<string>(convs.SelectMany(s => new[] { s.Input, s.OutputPoint }), StringComparer.Ordinal);
        var tensors = new List<string>();
        var sameScaleAs = new Dictionary<string, string>(StringComparer.Ordinal);
        var constants = new List<(NodeProto, int)>();
        foreach (NodeProto node in selected)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (ScalarConstant(node.Input[i], scope) is not null) constants.Add((node, i));
            }

            string[] inputs = DataInputs(node, scope)!;
            foreach (string tensor in inputs.Append(node.Output[0]))
            {
                if (!seeds.Contains(tensor) && !tensors.Contains(tensor)) tensors.Add(tensor);
            }

            // uint8 passes through only at one scale: the output takes the input's, or, when the output is a Conv's
            // calibrated input and the input is new, the input takes the output's.
            if (!PassThrough.Contains(node.OpType)) continue;
            string input = inputs[0], result = node.Output[0];
            bool inputFree = !seeds.Contains(input) && !sameScaleAs.ContainsKey(input);
            bool resultFree = !seeds.Contains(result) && !sameScaleAs.ContainsKey(result);
            if (resultFree && input != result) sameScaleAs[result] = input;
            else if (inputFree && input != result) sameScaleAs[input] = result;
        }

        return new Plan(tensors, sameScaleAs, constants);
    }

    /// <summary>The value of a one-element finite float constant, else null.</summary>
    public static float? ScalarConstant(string name, GraphScope scope) =>
        scope.ResolveConstant(name) is { } constant && TensorData.IsReadableFloat(constant.Tensor) && TensorData.ReadFloats(constant.Tensor) is [var value]
            && float.IsFinite(value) ? value : null;

    /// <summary>
    /// The float tensors a neighbour op computes on (not its scalar constant operands), or null when it is not one or
    /// reads another constant there.
    /// </summary>
    private static string[]? DataInputs(NodeProto node, GraphScope scope)
    {
        if (!GraphScope.IsDefaultDomain(node) || node.Output.Count == 0 || node.Output.Skip(1).Any(o => o.Length > 0)) return null;
        if (scope.IsGraphOutput(node.Output[0])) return null;
        string[] inputs;
        if (PassThrough.Contains(node.OpType)) inputs = [node.Input[0]];
        else if (node.OpType is "Add" or "Mul" && node.Input.Count == 2) inputs = [.. node.Input.Where(i => ScalarConstant(i, scope) is null)];
        else if (Fused.Contains(node.OpType)) inputs = [.. node.Input.Where(i => i.Length > 0)];
        else return null;
        return inputs.Length > 0 && inputs.All(i => scope.ResolveConstant(i) is null) ? inputs : null;
    }
}
