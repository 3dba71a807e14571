using ModelBuild.Onnx.Protos;

namespace ModelBuild.Onnx;

/// <summary>
/// Finds every TensorProto stored in a model: initializers and sparse initializers of the main graph,
/// tensors held in node attributes (Constant values, ...), and the same inside every subgraph
/// (If/Loop/Scan bodies), model-local function and training graph, recursively.
/// </summary>
internal static class OnnxTensorWalker
{
    public static IEnumerable<TensorProto> AllTensors(ModelProto model)
    {
        var graphs = new List<GraphProto>();
        if (model.Graph is not null) graphs.Add(model.Graph);
        foreach (var training in model.TrainingInfo)
        {
            if (training.Initialization is not null) graphs.Add(training.Initialization);
            if (training.Algorithm is not null) graphs.Add(training.Algorithm);
        }

        foreach (var graph in graphs)
        {
            foreach (var tensor in InGraph(graph)) yield return tensor;
        }

        foreach (var function in model.Functions)
        {
            foreach (var tensor in InNodes(function.Node)) yield return tensor;
        }
    }

    private static IEnumerable<TensorProto> InGraph(GraphProto graph)
    {
        foreach (var tensor in graph.Initializer) yield return tensor;
        foreach (var sparse in graph.SparseInitializer)
        {
            foreach (var tensor in InSparse(sparse)) yield return tensor;
        }

        foreach (var tensor in InNodes(graph.Node)) yield return tensor;
    }

    private static IEnumerable<TensorProto> InNodes(IEnumerable<NodeProto> nodes)
    {
        foreach (var node in nodes)
        {
            foreach (var attribute in node.Attribute)
            {
                foreach (var tensor in InAttribute(attribute)) yield return tensor;
            }
        }
    }

    // Reads the fields actually present rather than trusting AttributeProto.type, so a tensor
    // cannot hide from the checks behind a mislabelled attribute.
    private static IEnumerable<TensorProto> InAttribute(AttributeProto attribute)
    {
        if (attribute.T is not null) yield return attribute.T;
        foreach (var tensor in attribute.Tensors) yield return tensor;
        if (attribute.SparseTensor is not null)
        {
            foreach (var tensor in InSparse(attribute.SparseTensor)) yield return tensor;
        }

        foreach (var sparse in attribute.SparseTensors)
        {
            foreach (var tensor in InSparse(sparse)) yield return tensor;
        }

        if (attribute.G is not null)
        {
            foreach (var tensor in InGraph(attribute.G)) yield return tensor;
        }

        foreach (var graph in attribute.Graphs)
        {
            foreach (var tensor in InGraph(graph)) yield return tensor;
        }
    }

    private static IEnumerable<TensorProto> InSparse(SparseTensorProto sparse)
    {
        if (sparse.Values is not null) yield return sparse.Values;
        if (sparse.Indices is not null) yield return sparse.Indices;
    }
}
