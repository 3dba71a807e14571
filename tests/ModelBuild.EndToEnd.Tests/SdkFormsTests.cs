using System.Globalization;
using System.Security.Cryptography;
using ModelBuild.EndToEnd.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace ModelBuild.EndToEnd.Tests;

/// <summary>The two MSBuild SDK forms, item metadata, and models with awkward names, dynamic dims and external data.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class SdkFormsTests(PackageFeed feed)
{
    [Fact]
    public void SdkElementFormBuildsAwkwardDynamicExternalAndHostileModels()
    {
        string project = feed.CopyTestAsset("SdkElementApp", "awkward-names", "dynamic-dims", "external-data", "hostile-doc");
        feed.Build(project).ShouldSucceed();
        string bin = Path.Combine(project, "bin", "Release", "net10.0");
        // The variant holds the external tensors inline: one file ships.
        Assert.Equal(["external-data.onnx"], Directory.GetFiles(Path.Combine(bin, "models", "LinearLayer", "cpu")).Select(Path.GetFileName));

        Dictionary<string, string> lines = RunApp(bin, "SdkElementApp.dll");
        Assert.Equal("1.5 -2 | 3 9223372036854775807 | True False | héllo wörld | 0.25 1E+300 | 7 8", lines["awkward"]);
        Assert.Equal("0 2 0 4 0 6 | 2 3 1 | 1 1 1 1", lines["dynamic"]);
        Assert.Contains("'x'", lines["shape check"]);
        Assert.Contains("[3, 1, 1]", lines["shape check"]);
        Assert.StartsWith("1 input(s)", lines["hostile"]);

        // The source external-data model through ONNX Runtime directly: the compiled asset must agree with it.
        using var session = new InferenceSession(Path.Combine(project, "models", "external-data.onnx"));
        using var x = OrtValue.CreateTensorValueFromMemory(new[] { 1f, 2f, 3f, 4f, 0.5f, 0f, -1f, 2f }, [2, 4]);
        using var results = session.Run(new RunOptions(), ["x"], [x], ["y"]);
        float[] expected = results[0].GetTensorDataAsSpan<float>().ToArray();
        float[] printed = lines["external"].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected.Length, printed.Length);
        Assert.All(expected.Zip(printed), p => Assert.Equal(p.First, p.Second, 1e-5f));
    }

    [Fact]
    public void ProjectSdkFormHonoursClassNameNamespaceAndAccess()
    {
        string project = feed.CopyTestAsset("ProjectSdkApp", "iris-classifier");
        feed.Build(project).ShouldSucceed();
        string bin = Path.Combine(project, "bin", "Release", "net10.0");
        string asset = Path.Combine(bin, "models", "Flowers", "cpu", "iris-classifier.onnx");

        Dictionary<string, string> lines = RunApp(bin, "ProjectSdkApp.dll");
        Assert.Equal("2", lines["label"]);
        Assert.Equal("False", lines["public"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(asset))), lines["sha256"]);
    }

    private static Dictionary<string, string> RunApp(string bin, string dll)
    {
        string output = Dotnet.Exec("dotnet", bin, Path.Combine(bin, dll)).ShouldSucceed().Output;
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(": ", 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);
    }
}
