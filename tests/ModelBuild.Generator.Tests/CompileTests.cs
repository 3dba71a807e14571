using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelBuild.Generator.Tests;

/// <summary>Generated code compiles with no warnings or errors (all warnings on, XML docs checked).</summary>
public class CompileTests
{
    private static void AssertCompiles(string signatureName, string consumerCode) =>
        EmitWithoutWarnings(signatureName, TestFiles.ReadSignature(signatureName), consumerCode);

    /// <summary>
    /// Generates code for one signature, compiles it with <paramref name="consumerCode"/> (all warnings on, XML docs
    /// checked), asserts that nothing at all is reported, and returns the assembly.
    /// </summary>
    internal static byte[] EmitWithoutWarnings(string signatureName, string signatureJson, string consumerCode)
    {
        var file = new InMemoryAdditionalText("/proj/obj/modelbuild/" + signatureName + ".modelsig.json", signatureJson);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(file);
        driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.CreateCompilation(consumerCode), out Compilation output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        Assert.Equal(2, output.SyntaxTrees.Count());

        using var peStream = new MemoryStream();
        using var xmlStream = new MemoryStream();
        var emit = output.Emit(peStream, xmlDocumentationStream: xmlStream);
        var problems = output.GetDiagnostics().Concat(emit.Diagnostics)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .Distinct()
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(emit.Success);
        Assert.True(xmlStream.Length > 0);
        return peStream.ToArray();
    }

    [Theory]
    [MemberData(nameof(BaselineTests.Cases), MemberType = typeof(BaselineTests))]
    public void GeneratedCodeCompilesWithoutWarnings(string name) => AssertCompiles(name, "namespace Consumer { internal static class Empty { } }");

    [Fact]
    public void PublicApiIsUsableAsDocumented()
    {
        // Exercises every member of the contract by name and type (compile only; the runtime copy throws).
        const string consumer = """
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.ML.OnnxRuntime.Tensors;
            using ModelBuild.Runtime;
            using Sample.Models;

            namespace Consumer
            {
                internal static class Use
                {
                    public static async Task<long> Go(string path, CancellationToken ct)
                    {
                        ModelDescription description = IrisClassifier.Description;
                        using IrisClassifier model = IrisClassifier.Load();
                        using IrisClassifier other = IrisClassifier.Load(path, new ModelOptions { VerifyIntegrity = false });
                        using IrisClassifier third = IrisClassifier.Load(options: null);
                        ModelSession session = model.Session;
                        ModelVariant variant = model.Variant;
                        string provider = model.ExecutionProvider;
                        using IrisClassifier forced = IrisClassifier.Load(new ModelOptions { Target = "x64", ExecutionProvider = "cpu", Logger = System.Console.WriteLine });
                        System.Collections.Generic.IReadOnlyList<ModelVariant> variants = IrisClassifier.Description.Variants;
                        var input = new IrisClassifierInput { Features = new DenseTensor<float>(new[] { 1, 4 }) };
                        using IrisClassifierOutput output = model.Run(input);
                        DenseTensor<float> probabilities = output.Probabilities;
                        DenseTensor<long> label = output.Label;
                        using IrisClassifierOutput output2 = await model.RunAsync(input, ct);
                        using IrisClassifierOutput output3 = await model.RunAsync(input);
                        System.IDisposable disposable = output3;
                        return label[0] + (long)probabilities[0, 0] + description.Inputs.Count + session.ModelPath.Length + variant.Sha256.Length + provider.Length + variants.Count;
                    }
                }
            }
            """;
        AssertCompiles("Iris", consumer);
    }

    [Fact]
    public void AwkwardNamesMapToDocumentedPropertyNames()
    {
        const string consumer = """
            using Microsoft.ML.OnnxRuntime.Tensors;
            using Awkward;

            namespace Consumer
            {
                internal static class Use
                {
                    public static float Go(AwkwardNames model)
                    {
                        var t = new DenseTensor<float>(new[] { 1 });
                        var input = new AwkwardNamesInput
                        {
                            Input1 = t,             // input.1
                            Class = t,              // class
                            Input0 = t,             // 0
                            AB0 = t,                // a/b:0
                            FooBar = t,             // foo_bar
                            FooBar2 = t,            // foo.bar (collides with foo_bar)
                            FooBar22 = t,           // FooBar2 (collides with the previous one)
                            Dispose2 = t,           // Dispose
                            AwkwardNamesInput2 = t, // the containing class name
                            AwkwardNames2 = t,      // the model class name
                            NaMe = t,               // "na\u200Bme": a format char separates
                            Λx = t,                 // "λx": upper-cased invariantly
                            Input = t,              // "" (empty)
                            Input2 = t,             // "__" (empty after splitting; collides with "")
                        };
                        using AwkwardNamesOutput o = model.Run(input);
                        return o.Output0[0] + o.Dispose2[0] + o.AwkwardNamesOutput2[0] + o.ToString2[0] + o.GetType2[0] + o.Output[0];
                    }
                }
            }
            """;
        AssertCompiles("AwkwardNames", consumer);
    }

    [Fact]
    public void MissingRequiredInputIsACompileError()
    {
        // The contract makes every input `required`: forgetting one fails the consumer's build.
        var file = new InMemoryAdditionalText("/p/Iris.modelsig.json", TestFiles.ReadSignature("Iris"));
        GeneratorHarness.CreateDriver(file).RunGeneratorsAndUpdateCompilation(
            GeneratorHarness.CreateCompilation("namespace C { static class U { static object M() => new Sample.Models.IrisClassifierInput(); } }"),
            out Compilation output,
            out _);
        Assert.Contains(output.GetDiagnostics(), d => d.Id == "CS9035");
    }
}
