using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Folds a constant scale (Mul) or shift (Add) applied per output channel right after a Conv, or a scalar one right
/// before an unpadded Conv, into the Conv's weight and bias. ONNX Runtime's own Conv-Mul/Conv-Add fusions look for
/// the constant only as the second input; PaddlePaddle exports (PP-OCRv4's learnable affine blocks) write it first,
/// which leaves two float passes over the feature map after every Conv, between a QLinearConv and its consumers.
/// Exact up to float rounding.
/// </summary>
internal static class ConvAffineFolding
{
    /// <summary>Rewrites <paramref name="model"/>'s main graph in place; returns how many Mul/Add nodes were folded.</summary>
    public static int Apply(ModelProto model)
    {
        if (model.Graph is null) return 0;
        int folded = 0;
        while (FoldAfter(model) || FoldBefore(model)) folded++;
        return folded;
    }

    /// <summary>
    /// A scalar Mul/Add whose only reader is an unpadded Conv (PP-LCNetV3's affine block before each 1×1 Conv):
    /// Conv(s·x) = Conv with s·W; Conv(x + t) = Conv with bias + t·ΣW. With padding the border would differ, so
    /// padded Convs keep theirs.
    /// </summary>
    private static bool FoldBefore(ModelProto model)
    {
        GraphProto graph = model.Graph;
        var scope = new GraphScope(graph, null, model.IrVersion);
        var consumers = scope.Consumers();
        var producers = scope.Producers();

        foreach (NodeProto conv in graph.Node)
        {
            if (conv.OpType != "Conv" || !GraphScope.IsDefaultDomain(conv) || conv.Input.Count is not (2 or 3) || conv.Output.Count != 1 || !Unpadded(conv)) continue;
            string input = conv.Input[0];
            if (ScalarAffineAsConv.ScalarAffine(scope, producers, consumers, input) is not var (affine, value, data)) continue;
            if (scope.ResolveConstant(conv.Input[1]) is not { } weight || !TensorData.IsReadableFloat(weight.Tensor) || weight.Tensor.Dims.Count < 3) continue;
            int channels = (int)weight.Tensor.Dims[0];
            ConstantRef? bias = conv.Input.Count == 3 && conv.Input[2].Length > 0 ? scope.ResolveConstant(conv.Input[2]) : null;
            if (conv.Input.Count == 3 && conv.Input[2].Length > 0 && (bias is null || !TensorData.IsReadableFloat(bias.Tensor) || TensorData.ElementCount(bias.Tensor) != channels)) continue;

            float[] w = TensorData.ReadFloats(weight.Tensor);
            float[] b = bias is null ? new float[channels] : TensorData.ReadFloats(bias.Tensor);
            int perChannel = w.Length / channels;
            for (int c = 0; c < channels; c++)
            {
                if (affine.OpType == "Mul")
                {
                    for (int i = 0; i < perChannel; i++) w[c * perChannel + i] *= value;
                }
                else
                {
                    double sum = 0;
                    for (int i = 0; i < perChannel; i++) sum += w[c * perChannel + i];
                    b[c] = (float)(b[c] + value * sum);
                }
            }

            Replace(model, scope, conv, weight, bias, w, b, channels);
            conv.Input[0] = data;
            graph.Node.Remove(affine);
            scope.RemoveValueInfo(input);
            foreach (string operand in affine.Input.Where(i => i != data)) scope.RemoveIfUnused(operand);
            return true;
        }

        return false;
    }

    /// <summary>No padding: <c>pads</c> absent or all 0, <c>auto_pad</c> absent, NOTSET or VALID.</summary>
    private static bool Unpadded(NodeProto conv)
    {
        if (conv.Attribute.FirstOrDefault(a => a.Name == "pads") is { } pads && pads.Ints.Any(p => p != 0)) return false;
        return conv.Attribute.FirstOrDefault(a => a.Name == "auto_pad") is not { } autoPad || autoPad.S.ToStringUtf8() is "NOTSET" or "VALID";
    }

    /// <summary>New weight and bias initializers for <paramref name="conv"/>; the old ones go when nothing else reads them.</summary>
    private static void Replace(ModelProto model, GraphScope scope, NodeProto conv, ConstantRef weight, ConstantRef? bias, float[] w, float[] b, int channels)
    {
        var names = new NameTable(model);
        string newWeight = names.Unique($"{weight.Name}_folded"), newBias = names.Unique($"{bias?.Name ?? conv.Output[0]}_bias_folded");
        scope.AddInitializer(TensorData.Float(newWeight, [.. weight.Tensor.Dims], w));
        scope.AddInitializer(TensorData.Float(newBias, [channels], b));
        string oldWeight = conv.Input[1], oldBias = conv.Input.Count == 3 ? conv.Input[2] : "";
        conv.Input[1] = newWeight;
        if (conv.Input.Count == 3) conv.Input[2] = newBias;
        else conv.Input.Add(newBias);
        foreach (string name in new[] { oldWeight, oldBias }.Where(n => n.Length > 0)) scope.RemoveIfUnused(name);
    }

    private static bool FoldAfter(ModelProto model)
    {
        GraphProto graph = model.Graph;
        var scope = new GraphScope(graph, null, model.IrVersion);
        var consumers = scope.Consumers();
        foreach (NodeProto conv in graph.Node)
        {
            if (conv.OpType != "Conv" || !GraphScope.IsDefaultDomain(conv) || conv.Input.Count is not (2 or 3) || conv.Output.Count != 1) continue;
            string output = conv.Output[0];
            if (scope.IsGraphOutput(output) || !consumers.TryGetValue(output, out var readers) || readers.Count != 1) continue;
            NodeProto reader = readers[0];
            if (reader.OpType is not ("Mul" or "Add") || !GraphScope.IsDefaultDomain(reader) || reader.Input.Count != 2 || reader.Output.Count != 1) continue;
            if (reader.Input[0] == reader.Input[1]) continue;
            string other = reader.Input[0] == output ? reader.Input[1] : reader.Input[0];
            if (scope.ResolveConstant(conv.Input[1]) is not { } weight || !TensorData.IsReadableFloat(weight.Tensor) || weight.Tensor.Dims.Count < 3) continue;
            int channels = (int)weight.Tensor.Dims[0];
            ConstantRef? bias = conv.Input.Count == 3 && conv.Input[2].Length > 0 ? scope.ResolveConstant(conv.Input[2]) : null;
            if (conv.Input.Count == 3 && conv.Input[2].Length > 0 && (bias is null || !TensorData.IsReadableFloat(bias.Tensor) || TensorData.ElementCount(bias.Tensor) != channels)) continue;
            if (scope.ResolveConstant(other) is not { } constant || !TensorData.IsReadableFloat(constant.Tensor)
                || PerChannel(constant.Tensor, channels, weight.Tensor.Dims.Count) is not { } values) continue;

            float[] w = TensorData.ReadFloats(weight.Tensor);
            float[] b = bias is null ? new float[channels] : TensorData.ReadFloats(bias.Tensor);
            int perChannel = w.Length / channels;
            for (int c = 0; c < channels; c++)
            {
                if (reader.OpType == "Mul")
                {
                    for (int i = 0; i < perChannel; i++) w[c * perChannel + i] *= values[c];
                    b[c] *= values[c];
                }
                else
                {
                    b[c] += values[c];
                }
            }

            conv.Output[0] = reader.Output[0];
            graph.Node.Remove(reader);
            scope.RemoveValueInfo(output);
            Replace(model, scope, conv, weight, bias, w, b, channels);
            scope.RemoveIfUnused(other);
            return true;
        }

        return false;
    }

    /// <summary>
    /// One value per output channel when <paramref name="tensor"/> broadcasts along the channel axis only (a scalar, or
    /// [C, 1, 1] / [1, C, 1, 1] for a 2-D Conv) without widening the Conv's output; else null.
    /// </summary>
    private static float[]? PerChannel(TensorProto tensor, int channels, int outputRank)
    {
        int rank = tensor.Dims.Count;
        if (rank > outputRank) return null;
        float[] values = TensorData.ReadFloats(tensor);
        if (values.Length == 1) return [.. Enumerable.Repeat(values[0], channels)];
        int channelAxis = 1 - (outputRank - rank);
        if (channelAxis < 0 || values.Length != channels) return null;
        for (int i = 0; i < rank; i++)
        {
            if (tensor.Dims[i] != (i == channelAxis ? channels : 1)) return null;
        }

        return values;
    }
}
