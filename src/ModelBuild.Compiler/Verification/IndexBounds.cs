using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// Finds integer inputs used as indices into a table (Gather, GatherElements, com.microsoft
/// EmbedLayerNormalization), possibly through shape-only operators (Cast, Reshape, Unsqueeze, ...), and the
/// table's size along the gathered axis: sample values must stay below it, or ORT rejects the run.
/// </summary>
internal static class IndexBounds
{
    // Operators whose first input's values pass to the output unchanged (only reshaped, reordered or cast).
    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal)
    {
        "Cast", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Expand", "Transpose", "Slice", "Tile", "CastLike",
    };

    private const int MaxDepth = 8;

    /// <summary>Exclusive upper bound per graph input name, for inputs where one is known.</summary>
    public static IReadOnlyDictionary<string, long> Find(GraphProto graph)
    {
        var consumers = new Dictionary<string, List<(NodeProto Node, int Input)>>(StringComparer.Ordinal);
        var nodes = new List<NodeProto>();
        Collect(graph, nodes);
        foreach (NodeProto node in nodes)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (!consumers.TryGetValue(node.Input[i], out var list)) consumers[node.Input[i]] = list = [];
                list.Add((node, i));
            }
        }

        var shapes = KnownShapes(graph, nodes);
        var bounds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (ValueInfoProto input in graph.Input)
        {
            long? bound = Bound(input.Name, consumers, shapes, 0);
            if (bound is long b) bounds[input.Name] = b;
        }
        return bounds;
    }

    private static long? Bound(string value, Dictionary<string, List<(NodeProto Node, int Input)>> consumers,
        Dictionary<string, long[]> shapes, int depth)
    {
        if (depth > MaxDepth || !consumers.TryGetValue(value, out var uses)) return null;
        long? result = null;
        foreach (var (node, input) in uses)
        {
            long? bound = (node.OpType, node.Domain, input) switch
            {
                ("Gather" or "GatherElements", "" or "ai.onnx", 1) => Size(shapes, node.Input[0], Axis(node)),
                ("EmbedLayerNormalization", "com.microsoft", 0) => Size(shapes, node.Input.ElementAtOrDefault(2), 0),
                ("EmbedLayerNormalization", "com.microsoft", 1) => Size(shapes, node.Input.ElementAtOrDefault(3), 0),
                (_, "" or "ai.onnx", 0) when PassThrough.Contains(node.OpType) && node.Output.Count > 0 =>
                    Bound(node.Output[0], consumers, shapes, depth + 1),
                _ => null,
            };
            if (bound is long b && b > 0) result = result is long r ? Math.Min(r, b) : b;
        }
        return result;
    }

    private static long Axis(NodeProto node) => node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 0;

    private static long? Size(Dictionary<string, long[]> shapes, string? name, long axis)
    {
        if (name is null || !shapes.TryGetValue(name, out long[]? shape)) return null;
        if (axis < 0) axis += shape.Length;
        return axis >= 0 && axis < shape.Length && shape[axis] > 0 ? shape[axis] : null;
    }

    /// <summary>Shapes fully known without running anything: initializers, Constant outputs, fixed-shape declarations.</summary>
    private static Dictionary<string, long[]> KnownShapes(GraphProto graph, List<NodeProto> nodes)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (ValueInfoProto info in graph.Input.Concat(graph.ValueInfo))
        {
            if (info.Type?.TensorType?.Shape is { } shape && shape.Dim.All(d => d.HasDimValue))
            {
                shapes[info.Name] = [.. shape.Dim.Select(d => d.DimValue)];
            }
        }
        foreach (NodeProto node in nodes)
        {
            if (node.OpType == "Constant" && node.Output.Count == 1
                && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } tensor)
            {
                shapes[node.Output[0]] = [.. tensor.Dims];
            }
        }
        foreach (TensorProto initializer in graph.Initializer)
        {
            shapes[initializer.Name] = [.. initializer.Dims];
        }
        return shapes;
    }

    // Subgraph nodes may read the main graph's inputs too (If/Loop/Scan bodies).
    private static void Collect(GraphProto graph, List<NodeProto> nodes)
    {
        foreach (NodeProto node in graph.Node)
        {
            nodes.Add(node);
            foreach (AttributeProto attribute in node.Attribute)
            {
                if (attribute.G is not null) Collect(attribute.G, nodes);
                foreach (GraphProto sub in attribute.Graphs) Collect(sub, nodes);
            }
        }
    }
}
