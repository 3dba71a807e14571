using Microsoft.CodeAnalysis;

namespace ModelBuild.Generator.Tests;

/// <summary>Editing one signature file re-runs only that model's steps; the others stay cached.</summary>
public class IncrementalTests
{
    private static readonly string IrisPath = "/proj/obj/modelbuild/IrisClassifier.modelsig.json";
    private static readonly string TypesPath = "/proj/obj/modelbuild/AllElementTypes.modelsig.json";

    private static (GeneratorDriver Driver, InMemoryAdditionalText Iris, InMemoryAdditionalText Types) FirstRun()
    {
        var iris = new InMemoryAdditionalText(IrisPath, TestFiles.ReadSignature("Iris"));
        var types = new InMemoryAdditionalText(TypesPath, TestFiles.ReadSignature("AllTypes"));
        GeneratorDriver driver = GeneratorHarness.CreateDriver(iris, types).RunGenerators(GeneratorHarness.CreateCompilation());
        Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length);
        return (driver, iris, types);
    }

    /// <summary>The run reason of the (single) output of <paramref name="step"/> for the model read from <paramref name="path"/>.</summary>
    private static IncrementalStepRunReason ReasonFor(GeneratorRunResult result, string step, string path)
    {
        var outputs = result.TrackedSteps[step]
            .SelectMany(s => s.Outputs)
            .Where(o => ModelOf(o.Value).FilePath == path)
            .ToList();
        return Assert.Single(outputs).Reason;
    }

    private static ModelSignature ModelOf(object value) => value switch
    {
        ModelSignature m => m,
        ValueTuple<ModelSignature, EquatableArray<string>> pair => pair.Item1,
        _ => throw new InvalidOperationException("unexpected step output " + value.GetType()),
    };

    private static IncrementalStepRunReason OutputReason(GeneratorRunResult result, int index) =>
        result.TrackedOutputSteps["SourceOutput"].SelectMany(s => s.Outputs).ElementAt(index).Reason;

    [Fact]
    public void EditingOneModelLeavesTheOtherCached()
    {
        var (driver, iris, types) = FirstRun();
        string edited = iris.Content.Replace("Class probabilities.", "Class probabilities (edited).", StringComparison.Ordinal);
        Assert.NotEqual(iris.Content, edited);

        driver = driver.ReplaceAdditionalText(iris, new InMemoryAdditionalText(IrisPath, edited)).RunGenerators(GeneratorHarness.CreateCompilation());
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        Assert.Equal(IncrementalStepRunReason.Modified, ReasonFor(result, ModelGenerator.ParseStep, IrisPath));
        Assert.Equal(IncrementalStepRunReason.Cached, ReasonFor(result, ModelGenerator.ParseStep, TypesPath));
        Assert.Equal(IncrementalStepRunReason.Modified, ReasonFor(result, ModelGenerator.CombineStep, IrisPath));
        Assert.Equal(IncrementalStepRunReason.Cached, ReasonFor(result, ModelGenerator.CombineStep, TypesPath));
        // The hint names did not change, so the collected names are the same (not Modified).
        Assert.Contains(result.TrackedSteps[ModelGenerator.NamesStep].Single().Outputs.Single().Reason,
            new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });

        // Source outputs follow input order: Iris (0) is regenerated, AllElementTypes (1) is not.
        Assert.Equal(IncrementalStepRunReason.Modified, OutputReason(result, 0));
        Assert.Equal(IncrementalStepRunReason.Cached, OutputReason(result, 1));
        Assert.Contains("Class probabilities (edited).", result.GeneratedSources.Single(s => s.HintName == "Sample.Models.IrisClassifier.g.cs").SourceText.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, result.GeneratedSources.Length);
    }

    [Fact]
    public void WhitespaceOnlyEditIsUnchangedThanksToTheEquatableModel()
    {
        var (driver, iris, types) = FirstRun();
        driver = driver.ReplaceAdditionalText(iris, new InMemoryAdditionalText(IrisPath, iris.Content.Replace("\n", "\n  ", StringComparison.Ordinal)))
            .RunGenerators(GeneratorHarness.CreateCompilation());
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        // The file changed, so it is parsed again, but the model is equal: nothing downstream re-runs.
        Assert.Equal(IncrementalStepRunReason.Unchanged, ReasonFor(result, ModelGenerator.ParseStep, IrisPath));
        Assert.Equal(IncrementalStepRunReason.Cached, ReasonFor(result, ModelGenerator.ParseStep, TypesPath));
        Assert.Equal(IncrementalStepRunReason.Cached, OutputReason(result, 0));
        Assert.Equal(IncrementalStepRunReason.Cached, OutputReason(result, 1));
    }

    [Fact]
    public void UnrelatedCompilationChangeReusesEverything()
    {
        var (driver, _, _) = FirstRun();
        driver = driver.RunGenerators(GeneratorHarness.CreateCompilation("class Changed { }"));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.All(result.TrackedSteps[ModelGenerator.ParseStep].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.All(result.TrackedOutputSteps["SourceOutput"].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void ModelsWithEqualContentAreEqual()
    {
        string json = TestFiles.ReadSignature("AwkwardNames");
        ModelSignature a = SignatureParser.Parse("/p/A.modelsig.json", json);
        ModelSignature b = SignatureParser.Parse("/p/A.modelsig.json", json);
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, SignatureParser.Parse("/p/A.modelsig.json", json.Replace("\"foo_bar\"", "\"foo_baz\"", StringComparison.Ordinal)));
    }
}
