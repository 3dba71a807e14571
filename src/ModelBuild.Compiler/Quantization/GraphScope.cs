using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>A constant tensor a value name resolves to: an initializer or a Constant node's <c>value</c>, in <see cref="Owner"/>.</summary>
internal sealed record ConstantRef(GraphScope Owner, string Name, TensorProto Tensor, NodeProto? ConstantNode);

/// <summary>
/// One graph with its lexical parent (subgraphs of If/Loop/Scan see the names of enclosing graphs, the nearest
/// definition wins). Answers "is this name a constant", "who uses this name" and removes unused constants.
/// Build a new scope after changing the graph's node list; constants added with <see cref="AddInitializer"/> are tracked.
/// </summary>
internal sealed class GraphScope
{
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _constantNodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _defined = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inputs = new(StringComparer.Ordinal);

    /// <remarks><c>tensors</c>: where constants' values are read; a subgraph uses its parent's.</remarks>
    public GraphScope(GraphProto graph, GraphScope? parent, long irVersion, TensorSource? tensors = null)
    {
        Graph = graph;
        Parent = parent;
        IrVersion = irVersion;
        Tensors = tensors ?? parent?.Tensors ?? TensorSource.Inline;
        foreach (var input in graph.Input)
        {
            _inputs.Add(input.Name);
            _defined.Add(input.Name);
        }

        foreach (var initializer in graph.Initializer)
        {
            _initializers.TryAdd(initializer.Name, initializer);
            _defined.Add(initializer.Name);
        }

        foreach (var sparse in graph.SparseInitializer)
        {
            if (sparse.Values is not null) _defined.Add(sparse.Values.Name);
        }

        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output)
            {
                if (output.Length > 0) _defined.Add(output);
            }

            if (IsConstantNode(node) && node.Output.Count == 1) _constantNodes.TryAdd(node.Output[0], node);
        }
    }

    public GraphProto Graph { get; }

    public TensorSource Tensors { get; }

    public GraphScope? Parent { get; }

    public long IrVersion { get; }

    public bool IsMain => Parent is null;

    /// <summary>
    /// The constant <paramref name="name"/> resolves to, or null (computed value, graph input, or an initializer a
    /// caller may override: from IR 4 an initializer also listed as a graph input is only a default).
    /// </summary>
    public ConstantRef? ResolveConstant(string name)
    {
        for (GraphScope? scope = this; scope is not null; scope = scope.Parent)
        {
            if (!scope._defined.Contains(name)) continue;
            if (scope._initializers.TryGetValue(name, out TensorProto? tensor))
            {
                bool overridable = scope._inputs.Contains(name) && scope.IrVersion >= 4;
                return overridable ? null : new ConstantRef(scope, name, tensor, null);
            }

            if (scope._constantNodes.TryGetValue(name, out NodeProto? node) && ConstantValue(node) is { } value)
            {
                return new ConstantRef(scope, name, value, node);
            }

            return null;
        }

        return null;
    }

    /// <summary>The tensor of a Constant node's <c>value</c> attribute (other forms are small scalars/lists).</summary>
    public static TensorProto? ConstantValue(NodeProto node) =>
        node.Attribute.Count == 1 && node.Attribute[0].Name == "value" && node.Attribute[0].T is { } t ? t : null;

    public static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

    public static bool IsConstantNode(NodeProto node) => node.OpType == "Constant" && IsDefaultDomain(node);

    public static IEnumerable<GraphProto> Subgraphs(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.G is not null) yield return attribute.G;
            foreach (var graph in attribute.Graphs) yield return graph;
        }
    }

    /// <summary>Names a graph uses but does not define: its references to enclosing scopes.</summary>
    public static HashSet<string> FreeNames(GraphProto graph)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Input) defined.Add(input.Name);
        foreach (var initializer in graph.Initializer) defined.Add(initializer.Name);
        foreach (var sparse in graph.SparseInitializer)
        {
            if (sparse.Values is not null) defined.Add(sparse.Values.Name);
        }

        foreach (var node in graph.Node)
        {
            foreach (string output in node.Output) defined.Add(output);
        }

        var free = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in UsedNames(graph))
        {
            if (name.Length > 0 && !defined.Contains(name)) free.Add(name);
        }

        return free;
    }

    /// <summary>Every name a node of this graph reads, directly or through its subgraphs, plus graph outputs.</summary>
    private static IEnumerable<string> UsedNames(GraphProto graph)
    {
        foreach (var node in graph.Node)
        {
            foreach (string name in NodeReads(node)) yield return name;
        }

        foreach (var output in graph.Output) yield return output.Name;
    }

    /// <summary>Names a node reads: its inputs and its subgraphs' references to enclosing scopes.</summary>
    public static IEnumerable<string> NodeReads(NodeProto node)
    {
        foreach (string input in node.Input)
        {
            if (input.Length > 0) yield return input;
        }

        foreach (var subgraph in Subgraphs(node))
        {
            foreach (string name in FreeNames(subgraph)) yield return name;
        }
    }

    /// <summary>Value name → nodes of this graph that read it (in node order), including through subgraphs.</summary>
    public Dictionary<string, List<NodeProto>> Consumers()
    {
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in Graph.Node)
        {
            foreach (string name in NodeReads(node).Distinct(StringComparer.Ordinal))
            {
                if (!consumers.TryGetValue(name, out var list)) consumers[name] = list = [];
                list.Add(node);
            }
        }

        return consumers;
    }

    /// <summary>Value name → the node of this graph that writes it.</summary>
    public Dictionary<string, NodeProto> Producers()
    {
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (NodeProto node in Graph.Node)
        {
            foreach (string output in node.Output) producers.TryAdd(output, node);
        }

        return producers;
    }

    public bool IsGraphOutput(string name) => Graph.Output.Any(o => o.Name == name);

    public void AddInitializer(TensorProto tensor)
    {
        Graph.Initializer.Add(tensor);
        _initializers.TryAdd(tensor.Name, tensor);
        _defined.Add(tensor.Name);

        // IR < 4 requires every initializer of the main graph to be listed as a graph input too.
        if (IrVersion < 4 && IsMain) Graph.Input.Add(TensorData.ValueInfo(tensor.Name, tensor.DataType, tensor.Dims));
    }

    /// <summary>
    /// Removes the constant <paramref name="name"/> defined here (initializer or Constant node) when nothing in this
    /// graph reads it any more; returns whether it was removed.
    /// </summary>
    public bool RemoveIfUnused(string name)
    {
        if (IsGraphOutput(name)) return false;
        foreach (var node in Graph.Node)
        {
            if (NodeReads(node).Contains(name, StringComparer.Ordinal)) return false;
        }

        bool removed = false;
        var initializer = Graph.Initializer.FirstOrDefault(t => t.Name == name);
        if (initializer is not null && !(_inputs.Contains(name) && IrVersion >= 4))
        {
            Graph.Initializer.Remove(initializer);
            _initializers.Remove(name);
            if (IrVersion < 4 && Graph.Input.FirstOrDefault(i => i.Name == name) is { } input) Graph.Input.Remove(input);
            removed = true;
        }
        else if (_constantNodes.TryGetValue(name, out NodeProto? constant))
        {
            Graph.Node.Remove(constant);
            _constantNodes.Remove(name);
            removed = true;
        }

        if (removed)
        {
            _defined.Remove(name);
            RemoveValueInfo(name);
        }

        return removed;
    }

    public void RemoveValueInfo(string name)
    {
        for (int i = Graph.ValueInfo.Count - 1; i >= 0; i--)
        {
            if (Graph.ValueInfo[i].Name == name) Graph.ValueInfo.RemoveAt(i);
        }
    }
}

/// <summary>Every name in a model (values, nodes, initializers, all graphs), to derive new unique names from old ones.</summary>
internal sealed class NameTable
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public NameTable(ModelProto model)
    {
        if (model.Graph is not null) AddGraph(model.Graph);
    }

    private void AddGraph(GraphProto graph)
    {
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo)) _names.Add(value.Name);
        foreach (var tensor in graph.Initializer) _names.Add(tensor.Name);
        foreach (var sparse in graph.SparseInitializer)
        {
            if (sparse.Values is not null) _names.Add(sparse.Values.Name);
        }

        foreach (var node in graph.Node)
        {
            _names.Add(node.Name);
            foreach (string name in node.Input.Concat(node.Output)) _names.Add(name);
            foreach (var subgraph in GraphScope.Subgraphs(node)) AddGraph(subgraph);
        }
    }

    /// <summary><paramref name="baseName"/> if unused, else the first free of <c>baseName_2</c>, <c>baseName_3</c>, ...</summary>
    public string Unique(string baseName)
    {
        string name = baseName;
        for (int i = 2; !_names.Add(name); i++)
        {
            name = $"{baseName}_{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        return name;
    }
}

internal static class OpsetImports
{
    public const string Microsoft = "com.microsoft";

    public static void EnsureMicrosoft(ModelProto model)
    {
        if (!model.OpsetImport.Any(o => o.Domain == Microsoft)) model.OpsetImport.Add(new OperatorSetIdProto { Domain = Microsoft, Version = 1 });
    }

    /// <summary>Version of the default (ai.onnx) domain; 1 when absent.</summary>
    public static long Default(ModelProto model) =>
        model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1;
}
