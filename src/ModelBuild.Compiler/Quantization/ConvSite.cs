using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// A Conv of the main graph that static int8 can take: constant float weight (rank ≥ 3), constant 1-D bias or none, a
/// computed input. <see cref="OutputPoint"/> is where its result is quantized: the output of a Relu that is the Conv's
/// only reader (ONNX Runtime drops a Relu before a QuantizeLinear whose zero point is 0 and fuses the rest into
/// QLinearConv), else the Conv's own output.
/// </summary>
internal sealed record ConvSite(NodeProto Node, ConstantRef Weight, ConstantRef? Bias, string Input, string OutputPoint)
{
    public string DisplayName => WeightedMatMul.Describe(Node);

    public int Channels => (int)Weight.Tensor.Dims[0];

    /// <summary>
    /// A depthwise 1×1 Conv is a per-channel scale and shift (<see cref="ScalarAffineAsConv"/> writes them): one
    /// multiply-add per value, nothing int8 could speed up, and Q/DQ around it would only add passes.
    /// </summary>
    private static bool PerChannelAffine(NodeProto node, TensorProto weight) =>
        weight.Dims.Skip(1).All(d => d == 1) && node.Attribute.FirstOrDefault(a => a.Name == "group") is { } group && group.I == weight.Dims[0];

    public static List<ConvSite> Find(ModelProto model)
    {
        var sites = new List<ConvSite>();
        if (model.Graph is null) return sites;
        var scope = new GraphScope(model.Graph, null, model.IrVersion);
        var consumers = scope.Consumers();
        foreach (NodeProto node in model.Graph.Node)
        {
            if (node.OpType != "Conv" || !GraphScope.IsDefaultDomain(node) || node.Input.Count is not (2 or 3) || node.Output.Count != 1) continue;
            if (scope.ResolveConstant(node.Input[0]) is not null) continue;
            if (scope.ResolveConstant(node.Input[1]) is not { } weight || !TensorData.IsReadableFloat(weight.Tensor)
                || weight.Tensor.Dims.Count < 3 || weight.Tensor.Dims.Any(d => d <= 0)) continue;
            if (PerChannelAffine(node, weight.Tensor)) continue;
            ConstantRef? bias = null;
            if (node.Input.Count == 3 && node.Input[2].Length > 0)
            {
                bias = scope.ResolveConstant(node.Input[2]);
                if (bias is null || !TensorData.IsReadableFloat(bias.Tensor) || bias.Tensor.Dims.Count != 1 || bias.Tensor.Dims[0] != weight.Tensor.Dims[0]) continue;
            }

            string output = node.Output[0], point = output;
            if (!scope.IsGraphOutput(output) && consumers.TryGetValue(output, out var readers) && readers.Count == 1
                && readers[0] is { OpType: "Relu", Output.Count: 1 } relu && GraphScope.IsDefaultDomain(relu))
            {
                point = relu.Output[0];
            }

            sites.Add(new ConvSite(node, weight, bias, node.Input[0], point));
        }

        return sites;
    }
}
