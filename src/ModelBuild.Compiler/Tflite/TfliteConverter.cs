using ModelBuild.Compiler.Tflite.Schema;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Tflite;

/// <summary>
/// Converts a verified TFLite model to an ONNX <see cref="ModelProto"/> (opset 13): subgraph 0 becomes the graph,
/// keeping its input and output names, types, shapes (NHWC stays NHWC) and order; the subgraphs of IF operators
/// become the branches of ONNX <c>If</c> nodes.
/// </summary>
internal sealed class TfliteConverter(Model model, string path)
{
    public const long Opset = 13;

    /// <summary>IF branches inside IF branches; deeper (or a subgraph that calls itself) is refused.</summary>
    private const int MaxSubgraphDepth = 8;

    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public Model Model { get; } = model;

    public string Path { get; } = path;

    public ModelProto Convert()
    {
        if (Model.SubgraphsLength == 0)
        {
            throw Invalid("it has no subgraph");
        }
        var graph = ConvertSubgraph(0, bound: null, depth: 0);
        var onnx = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "ModelBuild TFLite converter",
            ProducerVersion = "1",
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return onnx;
    }

    /// <summary>One subgraph as an ONNX graph.</summary>
    /// <param name="index">The subgraph's position in the model.</param>
    /// <param name="bound">For an IF branch: the outer value bound to each of the subgraph's inputs.</param>
    /// <param name="depth">How many IF operators enclose it.</param>
    public GraphProto ConvertSubgraph(int index, IReadOnlyList<string>? bound, int depth)
    {
        if (depth > MaxSubgraphDepth)
        {
            throw new ModelBuildException(TfliteErrorCodes.LimitExceeded,
                $"TensorFlow Lite model '{Path}' nests IF subgraphs deeper than {MaxSubgraphDepth} (or a subgraph calls itself).", Path);
        }
        if (index < 0 || index >= Model.SubgraphsLength)
        {
            throw Invalid($"an operator refers to subgraph {index}, but the model has {Model.SubgraphsLength}");
        }
        return new TfliteGraphBuilder(this, Model.Subgraphs(index)!.Value, index, bound, depth).Build();
    }

    /// <summary>A model-wide unique value name (ONNX subgraphs may not reuse outer names) close to <paramref name="hint"/>.</summary>
    public string Unique(string hint)
    {
        string name = hint.Length == 0 ? "t" : hint;
        for (int i = 1; !_names.Add(name); i++)
        {
            name = $"{hint}_{i}";
        }
        return name;
    }

    /// <summary>Claims an exact name (graph inputs and outputs keep the TFLite names); false when already taken.</summary>
    public bool Claim(string name) => _names.Add(name);

    public ModelBuildException Invalid(string what) =>
        new(TfliteErrorCodes.InvalidModel, $"TensorFlow Lite model '{Path}' is not a valid model: {what}. Re-export the model.", Path);
}
