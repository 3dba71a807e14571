using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelZoo.Models;

/// <summary>
/// awkward-names.onnx: names that are not C# identifiers (keywords, leading digits, '.', '/', ':'),
/// two that collide once PascalCased (foo_bar / foo.bar), and mixed element types. Each input goes
/// through Identity to an output with a similarly awkward name.
/// </summary>
public static class AwkwardNamesModel
{
    public static IReadOnlyList<(string Input, string Output, DataType Type)> Pairs { get; } =
    [
        ("input.1", "output.1", DataType.Float),
        ("class", "return", DataType.Int64),
        ("0", "1", DataType.Bool),
        ("a/b:0", "c/d:0", DataType.String),
        ("foo_bar", "out_bar", DataType.Double),
        ("foo.bar", "out.bar", DataType.Float),
    ];

    public static ModelProto Build()
    {
        var graph = new GraphProto { Name = "awkward" };
        for (int i = 0; i < Pairs.Count; i++)
        {
            var (input, output, type) = Pairs[i];
            graph.Input.Add(Value(input, type, [Dim(2)]));
            graph.Output.Add(Value(output, type, [Dim(2)]));
            graph.Node.Add(Node("Identity", $"identity_{i}", [input], [output]));
        }

        return Model(graph);
    }
}
