using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// A scalar scale and shift (Mul and/or Add by a one-element constant) whose only reader is a padded Conv becomes one
/// depthwise 1×1 Conv (weight s, bias t per channel). PP-LCNetV3's learnable affine blocks sit before every depthwise
/// Conv; a padded Conv cannot absorb the shift (its border would see t instead of 0: <see cref="ConvAffineFolding"/>
/// folds only the unpadded case), and ONNX Runtime's blocked-layout (NCHWc) Convs have no scalar Mul/Add, so each
/// block cost the feature map out of the blocked layout and back (ReorderOutput, Mul, Add, ReorderInput). A
/// depthwise Conv stays in the blocked layout: one pass instead of four. Exact up to float rounding (one fused
/// multiply-add instead of a multiply and an add).
/// </summary>
internal static class ScalarAffineAsConv
{
    /// <summary>Rewrites <paramref name="model"/>'s main graph in place; returns how many Mul/Add nodes were replaced.</summary>
    public static int Apply(ModelProto model)
    {
        if (model.Graph is null) return 0;
        int replaced = 0;
        while (ReplaceOne(model) is var count && count > 0) replaced += count;
        return replaced;
    }

    private static int ReplaceOne(ModelProto model)
    {
        GraphProto graph = model.Graph;
        var scope = new GraphScope(graph, null, model.IrVersion);
        var consumers = scope.Consumers();
        var producers = scope.Producers();

        foreach (NodeProto conv in graph.Node)
        {
            if (conv.OpType != "Conv" || !GraphScope.IsDefaultDomain(conv) || conv.Input.Count is not (2 or 3) || conv.Output.Count != 1) continue;
            if (scope.ResolveConstant(conv.Input[1]) is not { } weight || weight.Tensor.Dims.Count != 4 || weight.Tensor.Dims.Any(d => d <= 0)) continue;
            long group = conv.Attribute.FirstOrDefault(a => a.Name == "group") is { } g ? g.I : 1;
            long channels = weight.Tensor.Dims[1] * group;
            if (channels <= 0 || channels > 1 << 20) continue;

            // Walk back over at most one Mul and one Add, each read only by the next.
            var chain = new List<(NodeProto Node, float Value)>();
            string input = conv.Input[0];
            while (chain.Count < 2 && ScalarAffine(scope, producers, consumers, input) is var (node, value, data) && chain.All(c => c.Node.OpType != node.OpType))
            {
                chain.Insert(0, (node, value));
                input = data;
            }

            if (chain.Count == 0) continue;
            float scale = 1f, shift = 0f;
            foreach (var (node, value) in chain)
            {
                if (node.OpType == "Mul") (scale, shift) = (scale * value, shift * value);
                else shift += value;
            }

            Insert(model, scope, chain[0].Node, input, conv.Input[0], (int)channels, scale, shift);
            if (chain.Count == 2) scope.RemoveValueInfo(chain[0].Node.Output[0]);
            foreach (var (node, _) in chain)
            {
                graph.Node.Remove(node);
                foreach (string operand in node.Input.Where(i => i != input)) scope.RemoveIfUnused(operand);
            }

            return chain.Count;
        }

        return 0;
    }

    /// <summary>
    /// <paramref name="output"/>'s producer when it is a Mul or Add by a finite one-element float constant of rank 0 or
    /// 1 (so it cannot raise the data's rank) and only one node reads it: the node, the constant and the data input.
    /// </summary>
    internal static (NodeProto Node, float Value, string Data)? ScalarAffine(GraphScope scope, Dictionary<string, NodeProto> producers,
        Dictionary<string, List<NodeProto>> consumers, string output)
    {
        if (scope.IsGraphOutput(output) || !consumers.TryGetValue(output, out var readers) || readers.Count != 1) return null;
        if (!producers.TryGetValue(output, out NodeProto? node) || node.OpType is not ("Mul" or "Add") || !GraphScope.IsDefaultDomain(node)
            || node.Input.Count != 2 || node.Output.Count != 1) return null;
        for (int at = 0; at < 2; at++)
        {
            if (ScalarValue(scope, node.Input[at]) is { } value && scope.ResolveConstant(node.Input[1 - at]) is null) return (node, value, node.Input[1 - at]);
        }

        return null;
    }

    private static float? ScalarValue(GraphScope scope, string name) =>
        scope.ResolveConstant(name) is { } constant && TensorData.IsReadableFloat(constant.Tensor) && constant.Tensor.Dims.Count <= 1
            && TensorData.ReadFloats(constant.Tensor) is [var value] && float.IsFinite(value) ? value : null;

    private static void Insert(ModelProto model, GraphScope scope, NodeProto at, string input, string output, int channels, float scale, float shift)
    {
        var names = new NameTable(model);
        string weight = names.Unique($"{output}_affine_scale"), bias = names.Unique($"{output}_affine_shift");
        scope.AddInitializer(TensorData.Float(weight, [channels, 1, 1, 1], Enumerable.Repeat(scale, channels).ToArray()));
        scope.AddInitializer(TensorData.Float(bias, [channels], Enumerable.Repeat(shift, channels).ToArray()));
        var conv = new NodeProto { OpType = "Conv", Name = names.Unique($"{output}_affine") };
        conv.Input.Add(input);
        conv.Input.Add(weight);
        conv.Input.Add(bias);
        conv.Output.Add(output);
        conv.Attribute.Add(new AttributeProto { Name = "group", Type = AttributeProto.Types.AttributeType.Int, I = channels });
        conv.Attribute.Add(new AttributeProto { Name = "kernel_shape", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1 } });
        model.Graph.Node.Insert(model.Graph.Node.IndexOf(at), conv);
    }
}
