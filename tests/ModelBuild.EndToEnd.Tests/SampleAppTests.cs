using System.Globalization;
using System.Text.RegularExpressions;
using ModelBuild.EndToEnd.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace ModelBuild.EndToEnd.Tests;

[Collection(EndToEndCollection.Name)]
public sealed partial class SampleAppTests(PackageFeed feed)
{
    [Fact]
    public void SampleBuildsRunsAndAgreesWithOnnxRuntimeCalledDirectly()
    {
        string project = feed.CopyTestAsset("Sample", "iris-classifier");
        feed.Build(project).ShouldSucceed();

        string bin = Path.Combine(project, "bin", "Release", "net10.0");
        string asset = Path.Combine(bin, "models", "IrisClassifier", "cpu", "iris-classifier.onnx");
        Assert.True(File.Exists(asset), "the compiled model is copied to models/IrisClassifier/cpu/ in the output folder");

        string output = Dotnet.Exec("dotnet", bin, Path.Combine(bin, "Sample.dll")).ShouldSucceed().Output;
        MatchCollection rows = SampleRow().Matches(output);
        Assert.Equal(4, rows.Count);

        // The reference is the source model: the shipped (optimized) asset must agree with it.
        using var session = new InferenceSession(Path.Combine(project, "models", "iris-classifier.onnx"));
        string[] species = ["setosa", "versicolor", "virginica"];
        foreach (Match row in rows)
        {
            float[] features = row.Groups["features"].Value.Split(", ").Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            float[] printed = row.Groups["probabilities"].Value.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(features, [1, 4]);
            using var results = session.Run(new RunOptions(), ["features"], [input], ["probabilities", "label"]);
            float[] expected = results[0].GetTensorDataAsSpan<float>().ToArray();
            long label = results[1].GetTensorDataAsSpan<long>()[0];
            Assert.Equal(species[label], row.Groups["species"].Value);
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal(expected[c], printed[c], 5e-6f);
            }
        }
        // The four flowers are one setosa, one versicolor and two virginica: a trained model gets them right.
        Assert.Equal(["setosa", "versicolor", "virginica", "virginica"], rows.Select(r => r.Groups["species"].Value));
    }

    [GeneratedRegex(@"^\[(?<features>[^\]]+)\] cm -> (?<species>\w+) \(probabilities: (?<probabilities>[^)]+)\)", RegexOptions.Multiline)]
    private static partial Regex SampleRow();
}
