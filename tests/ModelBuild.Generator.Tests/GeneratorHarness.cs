using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace ModelBuild.Generator.Tests;

internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path => path;

    public string Content => text;

    public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text, Encoding.UTF8);
}

/// <summary>Runs <see cref="ModelGenerator"/> through Roslyn's driver, with step tracking on.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions =
        new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    public static GeneratorDriver CreateDriver(params AdditionalText[] files) =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator()],
            files,
            ParseOptions,
            optionsProvider: null,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static CSharpCompilation CreateCompilation(params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions)),
            RuntimeReference.All,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999));

    public static GeneratorRunResult Run(params (string Path, string Text)[] files)
    {
        GeneratorDriver driver = CreateDriver(files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToArray());
        driver = driver.RunGenerators(CreateCompilation());
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return result;
    }

    /// <summary>Generates code for the named TestData signature and expects exactly one file and no diagnostics.</summary>
    public static GeneratedSourceResult GenerateOne(string name)
    {
        GeneratorRunResult result = Run(("/proj/obj/modelbuild/" + name + ".modelsig.json", TestFiles.ReadSignature(name)));
        Assert.Empty(result.Diagnostics);
        return Assert.Single(result.GeneratedSources);
    }

    public static ImmutableArray<Diagnostic> Diagnostics(string json, string path = "/proj/obj/modelbuild/Model.modelsig.json")
    {
        GeneratorRunResult result = Run((path, json));
        if (result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            Assert.Empty(result.GeneratedSources); // never broken or partial code for a failed model
        }

        return result.Diagnostics;
    }
}
