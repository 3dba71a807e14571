using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// <c>Y = A · W (+ bias)</c> found in a graph: a MatMul whose B is a constant 2-D float [K, N] (optionally followed by an
/// Add of a constant [N] bias), or a Gemm with constant B (transB, alpha, beta and a C broadcastable as one row folded).
/// The rewrite replaces <see cref="Nodes"/> by one node at <see cref="Anchor"/>'s position that produces <see cref="Output"/>.
/// </summary>
internal sealed record WeightedMatMul(
    IReadOnlyList<NodeProto> Nodes,
    NodeProto Anchor,
    string Input,
    ConstantRef Weight,
    bool Transposed,
    float Alpha,
    int K,
    int N,
    string? BiasName,
    float[]? BiasValues,
    ConstantRef? ReplacedBias,
    string Output)
{
    /// <summary>Key under which a quantized form of the weight can be shared by several nodes.</summary>
    public (GraphScope Owner, string Name, bool Transposed, float Alpha) WeightKey => (Weight.Owner, Weight.Name, Transposed, Alpha);

    public string DisplayName => Describe(Anchor == Nodes[0] ? Anchor : Nodes[0]);

    public static string Describe(NodeProto node) => $"{node.OpType} {ModelText.Quote(node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault() ?? "")}";

    /// <summary>alpha · W as [K, N] row-major, whatever the stored orientation.</summary>
    public float[] WeightKN()
    {
        float[] stored = Weight.Owner.Tensors.ReadFloats(Weight.Tensor);
        var w = new float[(long)K * N];
        for (int k = 0; k < K; k++)
        {
            for (int n = 0; n < N; n++)
            {
                float value = Transposed ? stored[(long)n * K + k] : stored[(long)k * N + n];
                w[(long)k * N + n] = Alpha == 1f ? value : Alpha * value;
            }
        }

        return w;
    }

    /// <summary>
    /// Matches <paramref name="node"/>; null with a reason in <paramref name="whyNot"/> (null when the node is not a
    /// candidate at all, e.g. a MatMul of two activations).
    /// </summary>
    public static WeightedMatMul? Match(NodeProto node, GraphScope scope, Dictionary<string, List<NodeProto>> consumers, bool allowGemm, out string? whyNot)
    {
        whyNot = null;
        if (!GraphScope.IsDefaultDomain(node) || node.Output.Count != 1 || node.Output[0].Length == 0) return null;
        if (node.OpType == "MatMul" && node.Input.Count == 2) return MatchMatMul(node, scope, consumers, out whyNot);
        if (node.OpType == "Gemm" && node.Input.Count is 2 or 3)
        {
            if (!allowGemm)
            {
                whyNot = $"{Describe(node)}: Gemm not handled by this transform";
                return null;
            }

            return MatchGemm(node, scope, out whyNot);
        }

        return null;
    }

    private static ConstantRef? Weight2D(NodeProto node, GraphScope scope, out string? whyNot)
    {
        whyNot = null;
        ConstantRef? weight = scope.ResolveConstant(node.Input[1]);
        if (weight is null) return null; // B is computed: not a weight
        if (!scope.Tensors.IsReadableFloat(weight.Tensor))
        {
            whyNot = $"{Describe(node)}: weight is not a float tensor with its data in the model";
            return null;
        }

        if (weight.Tensor.Dims.Count != 2 || weight.Tensor.Dims[0] <= 0 || weight.Tensor.Dims[1] <= 0)
        {
            whyNot = $"{Describe(node)}: weight is not 2-D";
            return null;
        }

        return weight;
    }

    private static WeightedMatMul? MatchMatMul(NodeProto node, GraphScope scope, Dictionary<string, List<NodeProto>> consumers, out string? whyNot)
    {
        ConstantRef? weight = Weight2D(node, scope, out whyNot);
        if (weight is null) return null;
        int k = (int)weight.Tensor.Dims[0], n = (int)weight.Tensor.Dims[1];

        // Bias folding: the MatMul's only reader is an Add of a constant 1-D float [N] (either operand order).
        // 1-D [N] broadcasts over the last axis only, so Y keeps the MatMul's shape for any rank of A.
        string output = node.Output[0];
        if (!scope.IsGraphOutput(output)
            && consumers.TryGetValue(output, out var readers) && readers.Count == 1
            && readers[0] is { OpType: "Add", Input.Count: 2, Output.Count: 1 } add && GraphScope.IsDefaultDomain(add)
            && add.Input.Count(i => i == output) == 1)
        {
            string biasName = add.Input[0] == output ? add.Input[1] : add.Input[0];
            if (scope.ResolveConstant(biasName) is { } bias && scope.Tensors.IsReadableFloat(bias.Tensor)
                && bias.Tensor.Dims.Count == 1 && bias.Tensor.Dims[0] == n)
            {
                return new WeightedMatMul([node, add], add, node.Input[0], weight, false, 1f, k, n, biasName, null, null, add.Output[0]);
            }
        }

        return new WeightedMatMul([node], node, node.Input[0], weight, false, 1f, k, n, null, null, null, output);
    }

    private static WeightedMatMul? MatchGemm(NodeProto node, GraphScope scope, out string? whyNot)
    {
        float alpha = 1f, beta = 1f;
        long transA = 0, transB = 0;
        foreach (var attribute in node.Attribute)
        {
            switch (attribute.Name)
            {
                case "alpha": alpha = attribute.F; break;
                case "beta": beta = attribute.F; break;
                case "transA": transA = attribute.I; break;
                case "transB": transB = attribute.I; break;
                default:
                    whyNot = $"{Describe(node)}: unknown attribute {ModelText.Quote(attribute.Name)}";
                    return null;
            }
        }

        ConstantRef? weight = Weight2D(node, scope, out whyNot);
        if (weight is null) return null;
        if (transA != 0)
        {
            whyNot = $"{Describe(node)}: transA=1 (A would need a Transpose)";
            return null;
        }

        if (!float.IsFinite(alpha) || alpha == 0f)
        {
            whyNot = $"{Describe(node)}: alpha={alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            return null;
        }

        bool transposed = transB != 0;
        int k = (int)weight.Tensor.Dims[transposed ? 1 : 0], n = (int)weight.Tensor.Dims[transposed ? 0 : 1];
        string output = node.Output[0];
        if (node.Input.Count < 3 || node.Input[2].Length == 0 || beta == 0f)
        {
            return new WeightedMatMul([node], node, node.Input[0], weight, transposed, alpha, k, n, null, null, null, output);
        }

        // C must be a constant that broadcasts as one row: scalar, [1], [N], [1, 1] or [1, N]. Anything else
        // ([M, N], [M, 1], computed) has no exact DynamicQuantizeMatMul/MatMulNBits form.
        ConstantRef? c = scope.ResolveConstant(node.Input[2]);
        if (c is null || !scope.Tensors.IsReadableFloat(c.Tensor))
        {
            whyNot = $"{Describe(node)}: C is not a constant float tensor";
            return null;
        }

        var dims = c.Tensor.Dims;
        bool row = dims.Count switch
        {
            0 => true,
            1 => dims[0] == 1 || dims[0] == n,
            2 => dims[0] == 1 && (dims[1] == 1 || dims[1] == n),
            _ => false,
        };
        if (!row)
        {
            whyNot = $"{Describe(node)}: C of shape [{string.Join(",", dims)}] is not one row";
            return null;
        }

        if (beta == 1f && dims.Count == 1 && dims[0] == n)
        {
            return new WeightedMatMul([node], node, node.Input[0], weight, transposed, alpha, k, n, c.Name, null, null, output);
        }

        float[] values = scope.Tensors.ReadFloats(c.Tensor);
        var bias = new float[n];
        for (int i = 0; i < n; i++) bias[i] = beta * values[values.Length == 1 ? 0 : i];
        return new WeightedMatMul([node], node, node.Input[0], weight, transposed, alpha, k, n, null, bias, c, output);
    }

    /// <summary>
    /// Replaces the matched nodes by <paramref name="replacement"/> at the anchor's position (every input of the
    /// replacement is available there: A precedes the MatMul, constants precede their readers) and drops value_info
    /// of the intermediate value that no longer exists.
    /// </summary>
    public void Replace(GraphScope scope, NodeProto replacement)
    {
        var nodes = scope.Graph.Node;
        nodes[nodes.IndexOf(Anchor)] = replacement;
        foreach (var node in Nodes)
        {
            if (node == Anchor) continue;
            nodes.Remove(node);
            foreach (string output in node.Output)
            {
                if (output != Output) scope.RemoveValueInfo(output);
            }
        }
    }
}
