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
