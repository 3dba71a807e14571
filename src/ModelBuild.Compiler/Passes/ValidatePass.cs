using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Structural checks that catch files which parse as protobuf but are not usable models (including files cut
/// short at a field boundary, which protobuf accepts): every value a node reads is defined before it, in its
/// graph or an enclosing one, every graph output is produced, and names are present and unique.
/// </summary>
internal sealed class ValidatePass : IModelPass
{
    /// <summary>The newest ONNX IR version this compiler understands.</summary>
    public const long MaxIrVersion = 12;

    public string Name => "validate";

    public bool RunsForSignatureOnly => true;

    public void Run(CompilationContext context)
    {
        ModelProto model = context.Model;
        if (model.IrVersion > MaxIrVersion)
        {
            throw context.Fail("MB1025", $"The model uses ONNX IR version {model.IrVersion}; ModelBuild supports up to {MaxIrVersion}. Export it with an older ONNX version or update ModelBuild.");
        }
        bool usesDefaultDomain = model.Graph.Node.Any(n => n.Domain is "" or "ai.onnx");
        if (usesDefaultDomain && !model.OpsetImport.Any(o => o.Domain is "" or "ai.onnx"))
        {
            throw context.Fail("MB1024", "The model has no opset import for the default ONNX domain. Re-export it with an opset version.");
        }
        if (model.Graph.Output.Count == 0)
        {
            throw context.Fail("MB1020", "The model's graph has no outputs, so there is nothing to compute. Re-export it with at least one output.");
        }
        CheckUniqueNames(context, model.Graph.Input, "input");
        CheckUniqueNames(context, model.Graph.Output, "output");
        CheckGraph(context, model.Graph, new HashSet<string>(StringComparer.Ordinal));
    }

    private static void CheckUniqueNames(CompilationContext context, IEnumerable<ValueInfoProto> values, string kind)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ValueInfoProto value in values)
        {
            if (value.Name.Length == 0)
            {
                throw context.Fail("MB1021", $"A graph {kind} has an empty name. Every input and output needs a unique name.");
            }
            if (!seen.Add(value.Name))
            {
                throw context.Fail("MB1021", $"Graph {kind} name {ModelText.Quote(value.Name)} appears twice. Every input and output needs a unique name.");
            }
        }
    }

    private static void CheckGraph(CompilationContext context, GraphProto graph, HashSet<string> outerScope)
    {
        var defined = new HashSet<string>(outerScope, StringComparer.Ordinal);
        defined.UnionWith(graph.Input.Select(i => i.Name));
        defined.UnionWith(graph.Initializer.Select(i => i.Name));
        defined.UnionWith(graph.SparseInitializer.Select(i => i.Values.Name));
        foreach (NodeProto node in graph.Node)
        {
            foreach (string input in node.Input)
            {
                // An empty name marks an omitted optional input.
                if (input.Length > 0 && !defined.Contains(input))
                {
                    throw context.Fail("MB1022", $"Node {ModelText.Quote(node.Name)} ({ModelText.Quote(node.OpType)}) reads {ModelText.Quote(input)}, which no input, initializer or earlier node defines. The file may be truncated or the graph out of order; re-export the model.");
                }
            }
            foreach (AttributeProto attribute in node.Attribute)
            {
                if (attribute.G is not null)
                {
                    CheckGraph(context, attribute.G, defined);
                }
                foreach (GraphProto subgraph in attribute.Graphs)
                {
                    CheckGraph(context, subgraph, defined);
                }
            }
            defined.UnionWith(node.Output.Where(o => o.Length > 0));
        }
        foreach (ValueInfoProto output in graph.Output)
        {
            if (!defined.Contains(output.Name))
            {
                throw context.Fail("MB1023", $"Graph output {ModelText.Quote(output.Name)} is not produced by any node, input or initializer. The file may be truncated; re-export the model.");
            }
        }
    }
}
