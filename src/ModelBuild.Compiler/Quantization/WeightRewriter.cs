using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Walks a model's graphs (subgraphs recursively, each with its enclosing scopes), offers every
/// <see cref="WeightedMatMul"/> to a rewrite, and at the end removes the fp32 constants nothing reads any more.
/// Shared by the int8 and int4 transforms; the rewrite decides the new node and its tensors.
/// </summary>
internal sealed class WeightRewriter
{
    /// <summary>Builds the replacement node, or returns null with a reason to keep the match as it is.</summary>
    public delegate NodeProto? Rewrite(WeightedMatMul match, GraphScope scope, out string? whyNot);

    private readonly ModelProto _model;
    private readonly bool _allowGemm;
    private readonly Rewrite _rewrite;
    private readonly List<(GraphScope Owner, string Name)> _replaced = [];

    private readonly TensorSource _tensors;

    public WeightRewriter(ModelProto model, bool allowGemm, Rewrite rewrite, TensorSource? tensors = null)
    {
        _tensors = tensors ?? TensorSource.Inline;
        _model = model;
        _allowGemm = allowGemm;
        _rewrite = rewrite;
        Names = new NameTable(model);
    }

    public NameTable Names { get; }

    public KeptLog Kept { get; } = new();

    public int Rewritten { get; private set; }

    public void Run()
    {
        if (_model.Graph is null) return;
        Walk(_model.Graph, null);

        // Reverse order so a weight removed from an inner graph is gone before its outer scope is checked.
        for (int i = _replaced.Count - 1; i >= 0; i--) _replaced[i].Owner.RemoveIfUnused(_replaced[i].Name);
    }

    private void Walk(GraphProto graph, GraphScope? parent)
    {
        var scope = new GraphScope(graph, parent, _model.IrVersion, _tensors);
        var consumers = scope.Consumers();
        var removed = new HashSet<NodeProto>();
        foreach (var node in graph.Node.ToList())
        {
            if (removed.Contains(node)) continue;
            WeightedMatMul? match = WeightedMatMul.Match(node, scope, consumers, _allowGemm, out string? whyNot);
            if (match is null)
            {
                if (whyNot is not null) Kept.Node(whyNot);
                continue;
            }

            NodeProto? replacement = _rewrite(match, scope, out whyNot);
            if (replacement is null)
            {
                Kept.Node(whyNot ?? $"{match.DisplayName}: kept");
                continue;
            }

            match.Replace(scope, replacement);
            foreach (var n in match.Nodes) removed.Add(n);
            _replaced.Add((match.Weight.Owner, match.Weight.Name));
            if (match.ReplacedBias is { } bias) _replaced.Add((bias.Owner, bias.Name));
            Rewritten++;
        }

        foreach (var node in graph.Node.ToList())
        {
            foreach (var subgraph in GraphScope.Subgraphs(node)) Walk(subgraph, scope);
        }
    }

    /// <summary>Name for a new node replacing <paramref name="match"/>, derived from the old node's name or output.</summary>
    public string NodeName(WeightedMatMul match, string suffix)
    {
        NodeProto first = match.Nodes[0];
        return Names.Unique($"{(first.Name.Length > 0 ? first.Name : match.Output)}{suffix}");
    }

    /// <summary>Adds the bias values a Gemm's beta·C turned into, next to the node; returns its name (or the reused one).</summary>
    public string? BiasInput(WeightedMatMul match, GraphScope scope)
    {
        if (match.BiasValues is null) return match.BiasName;
        string name = Names.Unique($"{match.ReplacedBias?.Name ?? match.Output}_bias");
        scope.AddInitializer(TensorData.Float(name, [match.N], match.BiasValues));
        return name;
    }

    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v)) return false;
        }

        return true;
    }
}
