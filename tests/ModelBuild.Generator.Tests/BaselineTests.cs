using Microsoft.CodeAnalysis;

namespace ModelBuild.Generator.Tests;

/// <summary>
/// Compares generated code with the committed files under Baselines/ (named by hint name).
/// On a mismatch the actual text is written next to the baseline as <c>*.g.cs.actual</c> and the test fails
/// with the diff command to run. To accept intended changes, run the tests with
/// <c>MODELBUILD_UPDATE_BASELINES=1</c> (e.g. <c>MODELBUILD_UPDATE_BASELINES=1 dotnet test tests/ModelBuild.Generator.Tests</c>),
/// which rewrites the baselines, then review them with git diff.
/// </summary>
public class BaselineTests
{
    public static TheoryData<string> Cases => new() { "Iris", "DynamicShapes", "AwkwardNames", "AllTypes", "Hostile", "ValueKinds" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratedCodeMatchesBaseline(string name)
    {
        GeneratedSourceResult source = GeneratorHarness.GenerateOne(name);
        string actual = source.SourceText.ToString();
        string baselinePath = Path.Combine(TestFiles.Baselines, source.HintName);
        string actualPath = baselinePath + ".actual";

        if (Environment.GetEnvironmentVariable("MODELBUILD_UPDATE_BASELINES") == "1")
        {
            File.WriteAllText(baselinePath, actual);
            File.Delete(actualPath);
            return;
        }

        Assert.True(File.Exists(baselinePath), $"Baseline {baselinePath} is missing; run with MODELBUILD_UPDATE_BASELINES=1 to create it.");
        string expected = File.ReadAllText(baselinePath).Replace("\r\n", "\n", StringComparison.Ordinal);
        if (expected != actual)
        {
            File.WriteAllText(actualPath, actual);
            Assert.Fail($"Generated code differs from {baselinePath}.{Environment.NewLine}" +
                $"See: diff -u '{baselinePath}' '{actualPath}'{Environment.NewLine}" +
                "If the change is intended, rerun with MODELBUILD_UPDATE_BASELINES=1.");
        }

        File.Delete(actualPath);
    }

    [Fact]
    public void GenerationIsDeterministic()
    {
        foreach (string name in Cases)
        {
            Assert.Equal(
                GeneratorHarness.GenerateOne(name).SourceText.ToString(),
                GeneratorHarness.GenerateOne(name).SourceText.ToString());
        }
    }

    [Fact]
    public void HintNameIsNamespaceDotClassName()
    {
        Assert.Equal("Sample.Models.IrisClassifier.g.cs", GeneratorHarness.GenerateOne("Iris").HintName);
    }
}
