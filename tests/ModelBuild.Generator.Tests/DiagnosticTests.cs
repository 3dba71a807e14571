using Microsoft.CodeAnalysis;

namespace ModelBuild.Generator.Tests;

public class DiagnosticTests
{
    private const string Path = "/proj/obj/modelbuild/Model.modelsig.json";

    private static string Iris => TestFiles.ReadSignature("Iris");

    private static string Tensor(string elem) => $$"""{ "kind": "tensor", "elementType": "{{elem}}", "shape": [ { "value": 1 } ] }""";

    /// <summary>Iris with its outputs replaced (its variants kept).</summary>
    private static string WithOutputs(string outputs) =>
        Iris[..Iris.IndexOf("\"outputs\"", StringComparison.Ordinal)] + "\"outputs\": " + outputs + ",\n  " + Iris[Iris.IndexOf("\"variants\"", StringComparison.Ordinal)..];

    private static string WithOutputType(string type) =>
        WithOutputs($$"""[ { "name": "bad", "docString": "", "type": {{type}} } ]""");

    private static Diagnostic Single(string json, string id)
    {
        var diagnostics = GeneratorHarness.Diagnostics(json, Path);
        Diagnostic d = Assert.Single(diagnostics);
        Assert.Equal(id, d.Id);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("ModelBuild", d.Descriptor.Category);
        Assert.Equal(Path, d.Location.GetLineSpan().Path);
        return d;
    }

    [Theory]
    [InlineData("{ \"schema\": \"modelbuild-signature/1\", }", 1, 39, "trailing comma")]
    [InlineData("{\n  \"schema\": 'x'\n}", 2, 13, "unexpected character")]
    [InlineData("", 1, 1, "unexpected end of file")]
    [InlineData("{ \"schema\": \"modelbuild-signature/1\" } x", 1, 40, "after the end")]
    [InlineData("{ \"a\": 1, \"a\": 2 }", 1, 11, "duplicate property")]
    [InlineData("{ \"a\": 01 }", 1, 9, "leading zeros")]
    [InlineData("{ \"a\": \"x\ty\" }", 1, 10, "control character")]
    public void MB2001_InvalidJson_NamesFileAndPosition(string json, int line, int column, string reason)
    {
        Diagnostic d = Single(json, "MB2001");
        string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(Path, message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Contains($"(line {line}, column {column})", message, StringComparison.Ordinal);
        Assert.Equal(new Microsoft.CodeAnalysis.Text.LinePosition(line - 1, column - 1), d.Location.GetLineSpan().StartLinePosition);
    }

    [Theory]
    [InlineData("\"irVersion\": 8,", "\"irVersion\": 8.5,", "must be an integer")]
    [InlineData("\"irVersion\": 8,", "\"irVersion\": \"8\",", "must be a number, not a string")]
    [InlineData("\"irVersion\": 8,", "", "missing property \"irVersion\"")]
    [InlineData("\"access\": \"public\"", "\"access\": \"protected\"", "\"access\" must be")]
    [InlineData("\"kind\": \"tensor\"", "\"kind\": \"tensorish\"", "unknown type kind")]
    [InlineData("\"value\": 4", "\"value\": -4", "must not be negative")]
    [InlineData("\"value\": 4", "\"value\": 4, \"param\": \"n\"", "not both")]
    public void MB2001_WrongShape(string find, string replace, string reason)
    {
        string json = Iris.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Iris, json);
        Diagnostic d = Single(json, "MB2001");
        Assert.Contains(reason, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void MB2001_DeepNestingIsRefused()
    {
        string json = new string('[', 100) + new string(']', 100);
        Assert.Contains("nesting", Single(json, "MB2001").GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void MB2002_UnsupportedSchema()
    {
        Diagnostic d = Single(Iris.Replace("modelbuild-signature/1", "modelbuild-signature/2", StringComparison.Ordinal), "MB2002");
        Assert.Contains("'modelbuild-signature/2'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(1, d.Location.GetLineSpan().StartLinePosition.Line); // points at the schema value
    }

    [Theory]
    [InlineData("\"className\": \"IrisClassifier\"", "\"className\": \"1Iris\"", "class name")]
    [InlineData("\"className\": \"IrisClassifier\"", "\"className\": \"class\"", "class name")]
    [InlineData("\"className\": \"IrisClassifier\"", "\"className\": \"iris\"", "class name")]
    [InlineData("\"className\": \"IrisClassifier\"", "\"className\": \"Iris-Classifier\"", "class name")]
    [InlineData("\"className\": \"IrisClassifier\"", "\"className\": \"Iris\\u200BClassifier\"", "class name")]
    [InlineData("\"className\": \"IrisClassifier\"", "\"className\": \"\"", "class name")]
    [InlineData("\"className\": \"IrisClassifier\"", "\"className\": \"Variant\"", "member of the generated model class")]
    [InlineData("\"className\": \"IrisClassifier\"", "\"className\": \"Session\"", "member of the generated model class")]
    [InlineData("\"namespace\": \"Sample.Models\"", "\"namespace\": \"Sample..Models\"", "namespace")]
    [InlineData("\"namespace\": \"Sample.Models\"", "\"namespace\": \"\"", "namespace")]
    [InlineData("\"namespace\": \"Sample.Models\"", "\"namespace\": \"Sample.namespace\"", "namespace")]
    [InlineData("\"namespace\": \"Sample.Models\"", "\"namespace\": \"Sample.Models;class X{}\"", "namespace")]
    public void MB2003_InvalidClassNameOrNamespace(string find, string replace, string what)
    {
        string json = Iris.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Iris, json);
        Assert.Contains(what, Single(json, "MB2003").GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "kind": "sequence", "elementType": { "kind": "sequence", "elementType": { "kind": "tensor", "elementType": "float", "shape": null } } }""", "sequence(sequence(tensor(float) unknown rank))")]
    [InlineData("""{ "kind": "sequence", "elementType": { "kind": "tensor", "elementType": "complex64", "shape": null } }""", "sequence(tensor(complex64) unknown rank)")]
    [InlineData("""{ "kind": "map", "keyType": "int32", "valueType": { "kind": "tensor", "elementType": "float", "shape": [] } }""", "map(int32, tensor(float) [])")]
    [InlineData("""{ "kind": "map", "keyType": "int64", "valueType": { "kind": "tensor", "elementType": "int32", "shape": [] } }""", "map(int64, tensor(int32) [])")]
    [InlineData("""{ "kind": "map", "keyType": "string", "valueType": { "kind": "sequence", "elementType": { "kind": "tensor", "elementType": "float", "shape": null } } }""", "map(string, sequence(tensor(float) unknown rank))")]
    [InlineData("""{ "kind": "optional", "elementType": { "kind": "map", "keyType": "int64", "valueType": { "kind": "tensor", "elementType": "float", "shape": [] } } }""", "optional(map(int64, tensor(float) []))")]
    [InlineData("""{ "kind": "optional", "elementType": { "kind": "optional", "elementType": { "kind": "tensor", "elementType": "float", "shape": [ {} ] } } }""", "optional(optional(tensor(float) [?]))")]
    [InlineData("""{ "kind": "sparseTensor", "elementType": "float", "shape": [ { "value": 2 } ] }""", "sparse_tensor(float) [2]")]
    [InlineData("""{ "kind": "unknown" }""", "unknown")]
    [InlineData("""{ "kind": "tensor", "elementType": "complex64", "shape": [ { "value": 1 } ] }""", "tensor(complex64) [1]")]
    [InlineData("""{ "kind": "tensor", "elementType": "complex128", "shape": [ { "value": 1 } ] }""", "tensor(complex128) [1]")]
    [InlineData("""{ "kind": "tensor", "elementType": "float8e4m3fn", "shape": [ { "value": 1 } ] }""", "tensor(float8e4m3fn) [1]")]
    [InlineData("""{ "kind": "tensor", "elementType": "int4", "shape": [ { "value": 1 } ] }""", "tensor(int4) [1]")]
    [InlineData("""{ "kind": "tensor", "elementType": "undefined", "shape": [ { "value": 1 } ] }""", "tensor(undefined) [1]")]
    public void MB2004_UnsupportedType_NamesModelValueAndType(string type, string display)
    {
        string message = Single(WithOutputType(type), "MB2004").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("Model 'IrisClassifier'", message, StringComparison.Ordinal);
        Assert.Contains("output 'bad'", message, StringComparison.Ordinal);
        Assert.Contains("'" + display + "'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void MB2004_OneDiagnosticPerOffendingValue()
    {
        string json = Iris
            .Replace("\"elementType\": \"float\"", "\"elementType\": \"complex64\"", StringComparison.Ordinal) // input and first output
            .Replace("\"elementType\": \"int64\"", "\"elementType\": \"uint4\"", StringComparison.Ordinal);
        var diagnostics = GeneratorHarness.Diagnostics(json, Path);
        Assert.Equal(3, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal("MB2004", d.Id));
        var messages = diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Contains(messages, m => m.Contains("input 'features'", StringComparison.Ordinal) && m.Contains("complex64", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("output 'probabilities'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("output 'label'", StringComparison.Ordinal) && m.Contains("uint4", StringComparison.Ordinal));
    }

    [Fact]
    public void MB2005_NoOutputs()
    {
        string json = WithOutputs("[]");
        Assert.Contains("'IrisClassifier' has no outputs", Single(json, "MB2005").GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void MB2006_DuplicateClassGeneratesNeither_OthersStillGenerate()
    {
        GeneratorRunResult result = GeneratorHarness.Run(
            ("/p/a/Iris.modelsig.json", Iris),
            ("/p/b/Iris.modelsig.json", Iris.Replace("IrisClassifier", "IRISCLASSIFIER", StringComparison.Ordinal)),
            ("/p/AllElementTypes.modelsig.json", TestFiles.ReadSignature("AllTypes")));
        Assert.Equal(2, result.Diagnostics.Length);
        Assert.All(result.Diagnostics, d => Assert.Equal("MB2006", d.Id));
        Assert.Equal(["/p/a/Iris.modelsig.json", "/p/b/Iris.modelsig.json"], result.Diagnostics.Select(d => d.Location.GetLineSpan().Path).Order());
        Assert.Equal("Types.Models.AllElementTypes.g.cs", Assert.Single(result.GeneratedSources).HintName);
    }

    [Fact]
    public void ModelTextInMessagesCannotStartANewLine()
    {
        // A value name with a line break must not fake an extra "file(1,1): error XX0001:" line in a build log.
        string json = WithOutputType("""{ "kind": "unknown" }""").Replace("\"bad\"", "\"x\\n/p/f.cs(1,1): error CS0001: fake\"", StringComparison.Ordinal);
        string message = Single(json, "MB2004").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.DoesNotContain('\n', message);
        Assert.Contains("x\\u000A/p/f.cs", message, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherAdditionalFilesAreIgnored()
    {
        GeneratorRunResult result = GeneratorHarness.Run(("/p/notes.json", "not json"), ("/p/Iris.modelsig.json.bak", "x"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedSources);
    }
}
