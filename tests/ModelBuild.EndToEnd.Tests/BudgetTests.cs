using System.Diagnostics;
using ModelBuild.EndToEnd.Tests.Infrastructure;
using ModelZoo;
using Xunit;

namespace ModelBuild.EndToEnd.Tests;

/// <summary>A model that never finishes verifying ends a real <c>dotnet build</c> at the documented budget.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class BudgetTests(PackageFeed feed)
{
    [Fact]
    public void An_endless_loop_model_fails_the_build_at_its_verification_budget()
    {
        string project = feed.CopyTestAsset("QuantizedApp");
        // Under the file name the project's <Model> item expects: Quantize="int8", so the unverified variants are errors.
        HostileModels.Write(HostileModels.EndlessLoop(), Path.Combine(project, "models"), "transformer-encoder-small.onnx");
        // The loop model has no input_ids for the app's MobileShapes (MB5660 before verification would start).
        string csproj = Path.Combine(project, "QuantizedApp.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace(" MobileShapes=\"input_ids=1,8\"", "", StringComparison.Ordinal));

        var clock = Stopwatch.StartNew();
        Dotnet.Result result = feed.Build(project, "-p:ModelBuildVerifyTimeout=5");

        Assert.NotEqual(0, result.ExitCode);
        string error = result.Output.Split('\n').First(l => l.Contains("error MB5650", StringComparison.Ordinal));
        Assert.Contains("transformer-encoder-small.onnx", error);
        Assert.Contains("5 s", error);
        Assert.DoesNotContain("MB4010", result.Output);
        Assert.False(Directory.Exists(Path.Combine(project, "bin", "Release", "net10.0", "models")), "a failed model ships nothing");
        // Restore and build take a minute or two on a loaded 2-core machine; an endless loop would never end.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(8), $"took {clock.Elapsed}");
    }
}
