using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Which Convs get int8, so that the graph means on load what the search chose. ONNX Runtime's WeightBiasQuantization
/// transformer quantizes a float Conv, ConvTranspose or Gemm (per tensor, with a Round node for the bias) when it reads
/// a DequantizeLinear and its result goes, through Relu or Clip only, to a QuantizeLinear: a Conv the search gave back
/// to fp32 between two int8 Convs would run int8 anyway, and on opset 10 the Round (an opset-11 op) stops the model
/// from loading. Such a Conv is written int8 here, per channel, as ONNX Runtime would quantize it anyway; one with no
/// int8 form here (a ConvTranspose, a Gemm) makes the int8 Conv after it go back to fp32.
/// </summary>
internal static class QdqLayout
{
    private static readonly HashSet<string> WeightBiasTargets = ["Conv", "ConvTranspose", "Gemm"];

    /// <param name="Convs">Indexes into <see cref="ConvSite.Find"/> of the Convs written int8.</param>
    /// <param name="Between">Those of them not asked for: they sit between int8 tensors.</param>
    public sealed record Layout(IReadOnlySet<int> Convs, IReadOnlySet<int> Between)
    {
        /// <summary>The tensors that get Q → DQ: each int8 Conv's input and result.</summary>
        public IReadOnlyList<string> Activations(List<ConvSite> sites) =>
            [.. Convs.Order().SelectMany(i => new[] { sites[i].Input, sites[i].OutputPoint }).Distinct(StringComparer.Ordinal)];
    }

    public static Layout Resolve(ModelProto model, List<ConvSite> sites, IReadOnlySet<int> quantize, IReadOnlyDictionary<string, ActivationRange> ranges)
    {
        var scope = new GraphScope(model.Graph, null, model.IrVersion);
        var consumers = scope.Consumers();
        var convs = new HashSet<int>(quantize);
        var between = new HashSet<int>();
        var givenBack = new HashSet<int>();
        while (FloatConvBetweenQdq(model, scope, consumers, convs, sites) is var (node, output))
        {
            int site = sites.FindIndex(s => ReferenceEquals(s.Node, node));
            if (site >= 0 && !givenBack.Contains(site) && ranges.ContainsKey(sites[site].Input) && ranges.ContainsKey(sites[site].OutputPoint))
            {
                convs.Add(site);
                between.Add(site);
                continue;
            }

            if (site >= 0) givenBack.Add(site);
            var owners = convs.Where(i => sites[i].Input == output || sites[i].OutputPoint == output).ToList();
            convs.ExceptWith(owners);
            between.ExceptWith(owners);
            givenBack.UnionWith(owners);
        }

        return new Layout(convs, between);
    }

    /// <summary>
    /// A float Conv/ConvTranspose/Gemm with a constant weight whose first input is an int8 Conv's tensor and whose result
    /// reaches one through Relu/Clip without branching (ONNX Runtime's condition), with the tensor it reaches.
    /// </summary>
    private static (NodeProto Node, string Output)? FloatConvBetweenQdq(ModelProto model, GraphScope scope, Dictionary<string, List<NodeProto>> consumers,
        HashSet<int> convs, List<ConvSite> sites)
    {
        var quantized = new HashSet<string>(convs.SelectMany(i => new[] { sites[i].Input, sites[i].OutputPoint }), StringComparer.Ordinal);
        var int8 = new HashSet<NodeProto>(convs.Select(i => sites[i].Node), ReferenceEqualityComparer.Instance);
        foreach (NodeProto node in model.Graph.Node)
        {
            if (!WeightBiasTargets.Contains(node.OpType) || !GraphScope.IsDefaultDomain(node) || int8.Contains(node) || node.Input.Count < 2) continue;
            if (!quantized.Contains(node.Input[0]) || scope.ResolveConstant(node.Input[1]) is null) continue;
            NodeProto current = node;
            while (current.Output.Count == 1)
            {
                string result = current.Output[0];
                if (quantized.Contains(result)) return (node, result);
                if (!consumers.TryGetValue(result, out var readers) || readers.Count != 1 || readers[0].OpType is not ("Relu" or "Clip")) break;
                current = readers[0];
            }
        }

        return null;
    }
}
