using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.EndToEnd.Tests.Infrastructure;
using ModelZoo.Published;
using Xunit;

namespace ModelBuild.EndToEnd.Tests;

/// <summary>A .tflite <c>&lt;Model&gt;</c> through the SDK: converted, compiled, wrapped, and computing what its .onnx twin computes.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class TfliteBuildTests(PackageFeed feed)
{
    [Fact]
    public void A_tflite_model_builds_into_a_typed_wrapper_whose_outputs_match_the_onnx_twin()
    {
        string project = feed.CopyTestAsset("TfliteApp");
        File.Copy(PublishedModels.OpenWakeWord.File("hey_jarvis_v0.1.tflite"), Path.Combine(project, "models", "hey_jarvis.tflite"));

        string output = feed.Build(project).ShouldSucceed().Output;

        Assert.Contains("hey_jarvis.tflite -> cpu none: ", output);
        Assert.Contains("hey_jarvis.tflite -> mobile none: ", output);
        string bin = Path.Combine(project, "bin", "Release", "net10.0");
        Assert.True(File.Exists(Path.Combine(bin, "models", "HeyJarvis", "cpu", "hey_jarvis.onnx")));
        Assert.True(File.Exists(Path.Combine(bin, "models", "HeyJarvis", "mobile", "hey_jarvis.ort")));

        string[] lines = Dotnet.Exec("dotnet", bin, Path.Combine(bin, "TfliteApp.dll")).ShouldSucceed().Output.Split('\n', StringSplitOptions.TrimEntries);
        float expected = Twin();
        foreach (string run in new[] { "cpu cpu score: ", "mobile cpu score: " })
        {
            float score = float.Parse(lines.Single(l => l.StartsWith(run, StringComparison.Ordinal))[run.Length..], CultureInfo.InvariantCulture);
            Assert.True(Math.Abs(score - expected) <= 1e-5f, $"{run}{score}, .onnx twin {expected}");
        }
        Assert.Contains(lines, l => l.EndsWith("the mobile variant runs on the CPU: this OS has no mobile accelerator (NNAPI is Android's, Core ML is iOS's and macOS's)", StringComparison.Ordinal));
    }

    [Fact]
    public void Published_for_ios_arm64_the_mobile_variant_ships_as_ort_with_its_operator_list()
    {
        string project = feed.CopyTestAsset("TfliteApp");
        File.Copy(PublishedModels.OpenWakeWord.File("hey_jarvis_v0.1.tflite"), Path.Combine(project, "models", "hey_jarvis.tflite"));

        feed.Publish(project, "-r", "ios-arm64").ShouldSucceed();

        AssertMobileFiles(Path.Combine(project, "bin", "Release", "net10.0", "ios-arm64", "publish"));
    }

    [Fact]
    public void Published_for_android_arm64_the_mobile_variant_ships_as_ort_with_its_operator_list()
    {
        // The package mirror has no Microsoft.NETCore.App.Runtime.android-arm64, so no self-contained Android publish (or app
        // host) restores here; a framework-dependent one does, and runs the same asset selection for the RID.
        string project = feed.CopyTestAsset("TfliteApp");
        File.Copy(PublishedModels.OpenWakeWord.File("hey_jarvis_v0.1.tflite"), Path.Combine(project, "models", "hey_jarvis.tflite"));

        feed.Publish(project, "-r", "android-arm64", "--self-contained", "false", "-p:UseAppHost=false").ShouldSucceed();

        AssertMobileFiles(Path.Combine(project, "bin", "Release", "net10.0", "android-arm64", "publish"));
    }

    /// <summary>A mobile RID's publish folder: the ORT-format variant with its operator list, and the portable cpu fallback.</summary>
    private static void AssertMobileFiles(string publish)
    {
        string models = Path.Combine(publish, "models", "HeyJarvis");
        Assert.True(File.Exists(Path.Combine(models, "mobile", "hey_jarvis.ort")));
        Assert.True(File.Exists(Path.Combine(models, "mobile", "hey_jarvis.required_operators.config")));
        Assert.True(File.Exists(Path.Combine(models, "cpu", "hey_jarvis.onnx"))); // cpu serves every RID
        Assert.Empty(Directory.GetFiles(publish, "*.tflite", SearchOption.AllDirectories));
    }

    /// <summary>hey_jarvis_v0.1.onnx on the app's input, run here with ONNX Runtime directly.</summary>
    private static float Twin()
    {
        float[] embeddings = [.. Enumerable.Range(0, 16 * 96).Select(i => MathF.Sin(i * 0.37f))];
        using var session = new InferenceSession(PublishedModels.OpenWakeWord.File("hey_jarvis_v0.1.onnx"));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), new DenseTensor<float>(embeddings, [1, 16, 96]))]);
        return results.First().AsTensor<float>().Single();
    }
}
