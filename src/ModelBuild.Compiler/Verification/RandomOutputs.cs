using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// Graph outputs whose values depend on a random operator (Bernoulli, RandomNormal*, RandomUniform*, Multinomial,
/// Dropout in training mode): two runs of the same model differ, so comparing them with the original says nothing.
/// A node whose subgraph (If/Loop/Scan) holds a random operator counts as random itself.
/// </summary>
internal static class RandomOutputs
{
    private static readonly HashSet<string> RandomOps = new(StringComparer.Ordinal)
    {
        "Bernoulli", "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial",
    };

    /// <summary>Output name → the random operator it depends on (the first found, in node order).</summary>
    public static IReadOnlyDictionary<string, string> Find(GraphProto graph)
    {
        var constants = ConstantValues(graph);
        var source = new Dictionary<string, string>(StringComparer.Ordinal); // value → random op it depends on
        foreach (NodeProto node in graph.Node)
        {
            string? random = RandomOp(node, constants)
                ?? node.Input.Select(i => source.GetValueOrDefault(i)).FirstOrDefault(r => r is not null);
            if (random is null) continue;
            foreach (string output in node.Output)
            {
                source.TryAdd(output, random);
            }
        }
        return graph.Output.Where(o => source.ContainsKey(o.Name)).ToDictionary(o => o.Name, o => source[o.Name], StringComparer.Ordinal);
    }

    private static string? RandomOp(NodeProto node, Dictionary<string, TensorProto> constants)
    {
        if (node.Domain is not ("" or "ai.onnx")) return null;
        if (RandomOps.Contains(node.OpType)) return node.OpType;
        if (node.OpType == "Dropout" && TrainingMode(node, constants)) return "Dropout (training mode)";
        foreach (AttributeProto attribute in node.Attribute)
        {
            foreach (GraphProto sub in attribute.G is null ? attribute.Graphs : [attribute.G, .. attribute.Graphs])
            {
                if (sub.Node.Select(n => RandomOp(n, ConstantValues(sub))).FirstOrDefault(r => r is not null) is { } inner) return inner;
            }
        }
        return null;
    }

    // training_mode (input 2, opset 12+) fixed true by an initializer or Constant; a graph input gets false from
    // the samples (InputConstraints), so the output is deterministic then.
    private static bool TrainingMode(NodeProto node, Dictionary<string, TensorProto> constants) =>
        node.Input.Count > 2 && constants.TryGetValue(node.Input[2], out TensorProto? flag)
        && (flag.Int32Data.Any(v => v != 0) || flag.RawData.Any(b => b != 0));

    private static Dictionary<string, TensorProto> ConstantValues(GraphProto graph)
    {
        var values = graph.Initializer.ToDictionary(t => t.Name, t => t, StringComparer.Ordinal);
        foreach (NodeProto node in graph.Node)
        {
            if (node.OpType == "Constant" && node.Output.Count == 1 && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } tensor)
            {
                values[node.Output[0]] = tensor;
            }
        }
        return values;
    }
}
