using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelZoo.Models;

/// <summary>
/// hostile-doc.onnx: doc strings and names built to break naive code generation: comment
/// terminators, a newline followed by a preprocessor directive, XML doc tags, U+2028 (ends a C#
/// line comment), quotes and backslashes, and a value name containing CR LF.
/// </summary>
public static class HostileDocModel
{
    public const string HostileText = "Ends a comment */ then\n#error x\n</summary><include file='secret.xml' path='doc/*'/> line\u2028separator \"quoted\" back\\slash";
    public const string InputName = "x\r\ny";
    public const string OutputName = "y</summary>\"\\*/";

    public static ModelProto Build()
    {
        var graph = new GraphProto { Name = "hostile\n#error graph", DocString = HostileText };
        graph.Input.Add(Value(InputName, DataType.Float, [Dim("n")], HostileText));
        graph.Output.Add(Value(OutputName, DataType.Float, [Dim("n")], HostileText));
        graph.Node.Add(Node("Identity", "identity */ \n#error node", [InputName], [OutputName]));
        var model = Model(graph, docString: HostileText);
        model.MetadataProps.Add(new StringStringEntryProto { Key = "note\n#error key", Value = HostileText });
        return model;
    }
}
