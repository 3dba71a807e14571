using ModelBuild.EndToEnd.Tests.Infrastructure;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using Xunit;

namespace ModelBuild.EndToEnd.Tests;

/// <summary>Incremental builds, regeneration on change, clean, and a bad model, on a real project.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class BuildLifecycleTests(PackageFeed feed)
{
    private const string ModelWorkMarker = "ModelBuild: compiling";

    [Fact]
    public void NoOpBuildDoesNoModelWork_ChangedModelRegenerates_CleanRemovesOutputs()
    {
        string project = feed.CopyTestAsset("Sample", "iris-classifier");
        string model = Path.Combine(project, "models", "iris-classifier.onnx");
        string bin = Path.Combine(project, "bin", "Release", "net10.0");
        string obj = Path.Combine(project, "obj", "Release", "net10.0", "modelbuild");
        string generated = Path.Combine(project, "obj", "generated");
        string[] emitGenerated = ["-p:EmitCompilerGeneratedFiles=true", $"-p:CompilerGeneratedFilesOutputPath={generated}"];

        Assert.Contains(ModelWorkMarker, feed.Build(project, emitGenerated).ShouldSucceed().Output);
        string wrapper = Directory.GetFiles(generated, "*.g.cs", SearchOption.AllDirectories).Single(f => f.Contains("IrisClassifier"));
        string firstWrapper = File.ReadAllText(wrapper);

        Assert.DoesNotContain(ModelWorkMarker, feed.Build(project, emitGenerated).ShouldSucceed().Output);

        // Change the model (an input's doc string): the model is compiled again and the wrapper follows.
        ModelProto changed = OnnxModelReader.ReadFile(model);
        changed.Graph.Input[0].DocString = "Measurements of one flower, in centimetres";
        OnnxModelWriter.WriteFile(changed, model);
        string rebuilt = feed.Build(project, emitGenerated).ShouldSucceed().Output;
        Assert.Contains(ModelWorkMarker, rebuilt);
        string secondWrapper = File.ReadAllText(Directory.GetFiles(generated, "*.g.cs", SearchOption.AllDirectories).Single(f => f.Contains("IrisClassifier")));
        Assert.NotEqual(firstWrapper, secondWrapper);
        Assert.Contains("Measurements of one flower, in centimetres", secondWrapper);

        Dotnet.Run(project, "clean", "-c", "Release", "-nodeReuse:false", $"-p:ModelBuildSdkVersion={feed.Version}").ShouldSucceed();
        Assert.False(File.Exists(Path.Combine(bin, "models", "IrisClassifier", "cpu", "iris-classifier.onnx")), "clean removes the model asset from the output folder");
        Assert.Empty(Directory.Exists(obj) ? Directory.GetFiles(obj, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public void ChangedExternalDataAloneRecompilesTheModel()
    {
        string project = feed.CopyTestAsset("SdkElementApp", "awkward-names", "dynamic-dims", "external-data", "hostile-doc");
        string data = Path.Combine(project, "models", ModelZoo.Models.ExternalDataModel.DataFileName);
        string asset = Path.Combine(project, "bin", "Release", "net10.0", "models", "LinearLayer", "cpu", "external-data.onnx");
        Assert.Contains(ModelWorkMarker, feed.Build(project).ShouldSucceed().Output);
        byte[] before = File.ReadAllBytes(asset);
        Assert.DoesNotContain(ModelWorkMarker, feed.Build(project).ShouldSucceed().Output);

        // New weights, same length and same .onnx file: only the dependency list can tell the build.
        byte[] weights = File.ReadAllBytes(data);
        float[] values = new float[weights.Length / 4];
        Buffer.BlockCopy(weights, 0, values, 0, weights.Length - weights.Length % 4);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = values[i] * 2 + 0.5f;
        }
        Buffer.BlockCopy(values, 0, weights, 0, values.Length * 4);
        File.WriteAllBytes(data, weights);

        Assert.Contains(ModelWorkMarker, feed.Build(project).ShouldSucceed().Output);
        Assert.NotEqual(before, File.ReadAllBytes(asset));
    }

    [Theory]
    [InlineData("random", "MB1003")]
    [InlineData("empty", "MB1002")]
    [InlineData("truncated", "MB1003")]
    [InlineData("not-a-model", "MB1004")]
    public void BadModelFailsTheBuildWithItsCodeAndPathAndLeavesNothingBehind(string zooModel, string code)
    {
        string project = feed.CopyTestAsset("Sample", zooModel);
        string model = Path.Combine(project, "models", "iris-classifier.onnx");
        File.Move(Path.Combine(project, "models", zooModel + ".onnx"), model, overwrite: true);

        Dotnet.Result result = feed.Build(project);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"error {code}", result.Output);
        Assert.Contains(model, result.Output);
        Assert.DoesNotContain("   at ", result.Output); // no stack trace
        string obj = Path.Combine(project, "obj", "Release", "net10.0", "modelbuild");
        Assert.DoesNotContain(Directory.GetFiles(obj, "IrisClassifier*", SearchOption.AllDirectories), f => !f.EndsWith(".options"));
        Assert.False(Directory.Exists(Path.Combine(obj, "IrisClassifier")));
        Assert.False(Directory.Exists(Path.Combine(project, "bin", "Release", "net10.0", "models")));
    }
}
