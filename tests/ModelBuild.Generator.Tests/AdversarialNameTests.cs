using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using Microsoft.CodeAnalysis.CSharp;
using ModelBuild.Runtime;

namespace ModelBuild.Generator.Tests;

/// <summary>
/// One model whose inputs and outputs carry every adversarial name at once (every C# keyword, the members and types
/// generated code uses or inherits, unicode, punctuation, near-collisions, comment and XML breakers), also as symbolic
/// dimension names and doc strings: the generated code must compile without a single warning, and the emitted
/// description must hand back every name exactly. (Every name of the ONNX backend test suite is compiled the same
/// way, warnings as errors, by the conformance fixture in tests/ModelBuild.EndToEnd.Tests.)
/// </summary>
public sealed class AdversarialNameTests
{
    public static IReadOnlyList<string> Names { get; } = BuildNames();

    public static TheoryData<string> ClassNames =>
    [
        // Besides a plain name: the namespace's last part, namespaces and types that generated code names, a suffix.
        "Sweep", "Models", "System", "Task", "DenseTensor", "Output",
    ];

    private static List<string> BuildNames()
    {
        var names = new List<string>();
        names.AddRange(SyntaxFacts.GetKeywordKinds().Concat(SyntaxFacts.GetContextualKeywordKinds()).Select(SyntaxFacts.GetText));
        // Members of the generated classes and of object, and the types generated code names.
        names.AddRange(
        [
            "Dispose", "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals",
            "Description", "Session", "Variant", "ExecutionProvider", "Load", "Run", "RunAsync", "CreateInputs", "AddInputs", "s_addInputs", "CreateDescription",
            "_results", "results", "inputs", "input", "options", "path", "cancellationToken", "value", "field",
            "Sweep", "SweepInput", "SweepOutput", "Models", "System", "Microsoft", "ModelBuild", "Runtime", "global", "DenseTensor",
            "Tensors", "ModelResults", "ModelInputs", "IDisposable", "Task", "Threading", "T", "__arglist", "EqualityContract",
        ]);
        // Unicode: letters, marks, format characters (zero-width, bidi overrides: "Trojan Source"), emoji, replacement char.
        names.AddRange(
        [
            "λx", "Ωmega", "日本語", "Модель", "e\u0301", "\u0301e", "x\u200By", "\u200B", "a\u202Eb", "\u202E/*", "\u2066x\u2069",
            "\uFEFFbom", "😀", "a😀b", "\uFFFD", "ǅ", "ⅫX", "١", "x١", "\u00A0", "ß",
        ]);
        // Punctuation, numbers, empty and blank, collisions after PascalCase.
        names.AddRange(
        [
            "", " ", "\t", "\n", "\r\n", "a/b:0", "a b", "a-b", "a.b", "a::b", "0", "1", "01", "1e5", "-1", "__", "_", "@class", "@",
            "foo", "Foo", "FOO", "foo_", "_foo", "Foo1", "foo1", "foo_1", "foo.1", "Foo2", "foo2",
            "Input", "Input1", "Output", "Output0",
        ]);
        // Comment, string, XML and preprocessor breakers.
        names.AddRange(
        [
            "*/", "/*", "//", "///", "\" + x + \"", "\\", "\\u0041", "\"", "'", "{", "}", "{0}", "#if", "\n#error x", "\n#pragma warning disable",
            "<see cref=\"x\"/>", "<include file='x' path='y'/>", "</summary>", "&amp;", "]]>", "<![CDATA[", "\0", "\u0085", "\u2028", "\u2029",
        ]);
        return names.Distinct(StringComparer.Ordinal).ToList();
    }

    [Theory]
    [MemberData(nameof(ClassNames))]
    public void EveryAdversarialName_CompilesWithoutWarnings_AndRoundTrips(string className)
    {
        byte[] assembly = CompileTests.EmitWithoutWarnings(className, Signature(className), "namespace Consumer { internal static class Empty { } }");

        var context = new AssemblyLoadContext("sweep-" + className, isCollectible: true);
        try
        {
            Assembly loaded = context.LoadFromStream(new MemoryStream(assembly));
            Type model = loaded.GetType("Sweep.Models." + className, throwOnError: true)!;
            var description = (ModelDescription)model.GetProperty("Description", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

            Assert.Equal(Names, description.Inputs.Select(v => v.Name));
            Assert.Equal(Names, description.Outputs.Select(v => v.Name));
            Assert.Equal(Names, description.Inputs.Select(v => v.DocString));
            Assert.Equal(Names.Select(SymbolFor), description.Outputs.Select(v => v.Shape![0].Symbol));

            PropertyInfo[] inputProperties = loaded.GetType("Sweep.Models." + className + "Input", throwOnError: true)!.GetProperties();
            PropertyInfo[] outputProperties = loaded.GetType("Sweep.Models." + className + "Output", throwOnError: true)!.GetProperties();
            Assert.Equal(Names.Count, inputProperties.Length);
            Assert.Equal(Names.Count, outputProperties.Length);
            Assert.All(inputProperties.Concat(outputProperties), p => Assert.True(SyntaxFacts.IsValidIdentifier(p.Name) && SyntaxFacts.GetKeywordKind(p.Name) == SyntaxKind.None, p.Name));
        }
        finally
        {
            context.Unload();
        }
    }

    // An empty dim_param means "unnamed", so "_" stands in for the empty name as a symbolic dimension.
    private static string SymbolFor(string name) => name.Length == 0 ? "_" : name;

    private static string Signature(string className)
    {
        object Value(string name) => new
        {
            name,
            docString = name,
            type = new { kind = "tensor", elementType = "float", shape = new object[] { new { param = SymbolFor(name) } } },
        };

        return JsonSerializer.Serialize(new
        {
            schema = "modelbuild-signature/1",
            className,
            @namespace = "Sweep.Models",
            access = "public",
            modelFileName = "sweep.onnx",
            assetPath = "models/" + className + "/sweep.onnx",
            sha256 = new string('0', 64),
            irVersion = 8,
            opsetImports = new[] { new { domain = "", version = 13 } },
            producerName = "*/ #error",
            producerVersion = "\u202E",
            graphName = "</summary>",
            docString = "\n#pragma warning disable",
            inputs = Names.Select(Value).ToArray(),
            outputs = Names.Select(Value).ToArray(),
            variants = new[] { new { target = "cpu", quantize = "none", executionProvider = "cpu", assetPath = "models/" + className + "/sweep.onnx", sha256 = new string('0', 64) } },
        });
    }
}
