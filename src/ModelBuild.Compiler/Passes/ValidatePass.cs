using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Structural checks that catch files which parse as protobuf but are not usable models (including files cut
/// short at a field boundary, which protobuf accepts): every value a node reads is defined before it, in its
/// graph or an enclosing one, every graph output is produced, names are present, unique and NUL-free, input and
/// output dimensions are not negative, and initializer sizes fit in 64 bits — what the generator or ONNX Runtime would
/// otherwise reject later, with a less helpful error.
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
        foreach (ValueInfoProto value in model.Graph.Input.Concat(model.Graph.Output))
        {
            CheckDimensions(context, value, value.Type);
        }
        CheckInitializers(context, model.Graph);
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
            if (value.Name.Contains('\0'))
            {
                throw context.Fail("MB1032", $"Graph {kind} name {ModelText.Quote(value.Name)} contains a NUL character, which ends the name for ONNX Runtime (it would see another name). Re-export the model with plain names.");
            }
            if (!seen.Add(value.Name))
            {
                throw context.Fail("MB1021", $"Graph {kind} name {ModelText.Quote(value.Name)} appears twice. Every input and output needs a unique name.");
            }
        }
    }

    /// <summary>Dimensions of an input or output (also inside sequence, optional and map types) are sizes or symbols, never negative.</summary>
    private static void CheckDimensions(CompilationContext context, ValueInfoProto value, TypeProto? type)
    {
        TensorShapeProto? shape = type?.TensorType?.Shape ?? type?.SparseTensorType?.Shape;
        if (shape is not null)
        {
            for (int axis = 0; axis < shape.Dim.Count; axis++)
            {
                if (shape.Dim[axis].HasDimValue && shape.Dim[axis].DimValue < 0)
                {
                    throw context.Fail("MB1031", $"{ModelText.Quote(value.Name)} has the negative dimension {shape.Dim[axis].DimValue} at axis {axis}; " +
                        "a dimension is a size (0 or more) or a symbolic name. Re-export the model, or fix its shape with onnx's tools.");
                }
            }
        }
        TypeProto? inner = type?.SequenceType?.ElemType ?? type?.OptionalType?.ElemType ?? type?.MapType?.ValueType;
        if (inner is not null)
        {
            CheckDimensions(context, value, inner);
        }
    }

    /// <summary>Initializer dims are sizes whose product fits in 64 bits: ONNX Runtime would refuse the model later, less clearly.</summary>
    private static void CheckInitializers(CompilationContext context, GraphProto graph)
    {
        foreach (TensorProto tensor in graph.Initializer)
        {
            long elements = 1;
            foreach (long dim in tensor.Dims)
            {
                if (dim < 0 || (dim > 0 && elements > long.MaxValue / dim))
                {
                    throw context.Fail("MB1033", $"Initializer {ModelText.Quote(tensor.Name)} has dims [{string.Join(", ", tensor.Dims)}]: " +
                        (dim < 0 ? "a negative dimension" : "more elements than 64 bits can count") + ". Re-export the model.");
                }
                elements *= dim;
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
