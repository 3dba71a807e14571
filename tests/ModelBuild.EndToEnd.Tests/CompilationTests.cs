using System.Globalization;
using System.Text.Json;
using ModelBuild.EndToEnd.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace ModelBuild.EndToEnd.Tests;

/// <summary>Quantize and Targets through a real build: variants, report, log lines, cache, and a failed accuracy check.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class CompilationTests(PackageFeed feed)
{
    private const string Model = "transformer-encoder-small";

    [Fact]
    public void Int8ForFourTargetsBuildsVerifiedVariantsReportsThemAndRuns()
    {
        string project = feed.CopyTestAsset("QuantizedApp", Model);
        string output = feed.Build(project).ShouldSucceed().Output;

        // One log line per variant; cuda gets fp32 instead of int8, with a warning that says so; the portable cpu
        // variant is the fallback for RIDs no CPU target serves (Fallback="cpu").
        Assert.Contains($"{Model}.onnx -> cpu int8 (fallback for RIDs no CPU target serves): ", output);
        foreach (string variant in new[] { "x64 int8", "arm64 int8", "cuda none", "mobile int8" })
        {
            Assert.Contains($"{Model}.onnx -> {variant}: ", output);
        }
        Assert.Contains("warning MB5001", output);
        Assert.DoesNotContain("MB5661", output); // MobileShapes="input_ids=1,8" fixed the mobile variant's dynamic input

        string bin = Path.Combine(project, "bin", "Release", "net10.0", "models", "TransformerEncoderSmall");
        Assert.True(File.Exists(Path.Combine(bin, "x64", $"{Model}.onnx")));
        Assert.True(File.Exists(Path.Combine(bin, "arm64", $"{Model}.onnx")));
        Assert.True(File.Exists(Path.Combine(bin, "cuda", $"{Model}.onnx")));
        Assert.True(File.Exists(Path.Combine(bin, "mobile", $"{Model}.ort")));
        Assert.Contains("com.microsoft;1;DynamicQuantizeMatMul", File.ReadAllText(Path.Combine(bin, "mobile", $"{Model}.required_operators.config")));

        string reportFile = Path.Combine(project, "obj", "Release", "net10.0", "modelbuild", "TransformerEncoderSmall.report.json");
        JsonElement[] variants = JsonDocument.Parse(File.ReadAllBytes(reportFile)).RootElement.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(["cpu", "x64", "arm64", "cuda", "mobile"], variants.Select(v => v.GetProperty("variant").GetProperty("target").GetString()));
        Assert.Equal([1L, 8L], variants[^1].GetProperty("variant").GetProperty("mobileShapes").GetProperty("fixed").GetProperty("input_ids").EnumerateArray().Select(d => d.GetInt64()));
        long original = new FileInfo(Path.Combine(project, "models", $"{Model}.onnx")).Length;
        foreach (JsonElement entry in variants)
        {
            JsonElement variant = entry.GetProperty("variant");
            if (variant.GetProperty("target").GetString() != "cuda")
            {
                Assert.True(variant.GetProperty("size").GetInt64() < original, $"{variant} is smaller than the fp32 model");
                Assert.True(variant.GetProperty("quantizedNodes").GetInt32() > 0, variant.ToString());
            }
            JsonElement verification = variant.GetProperty("verification");
            Assert.Equal(8, verification.GetProperty("samples").GetInt32());
            double cosine = Assert.Single(verification.GetProperty("outputs").EnumerateArray()).GetProperty("cosine").GetDouble();
            Assert.InRange(cosine, entry.GetProperty("minCosine").GetDouble(), 1.0);
            Assert.True(verification.GetProperty("medianMilliseconds").GetDouble() > 0);
        }

        // The app runs the variant chosen at run time (x64 int8 on an x64 machine without CUDA); its output stays close to the fp32 source model's.
        string app = Path.Combine(project, "bin", "Release", "net10.0");
        string[] lines = Dotnet.Exec("dotnet", app, Path.Combine(app, "QuantizedApp.dll")).ShouldSucceed().Output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains("asset: models/TransformerEncoderSmall/x64/transformer-encoder-small.onnx", lines);
        float[] hidden = lines.Single(l => l.StartsWith("hidden: ", StringComparison.Ordinal))["hidden: ".Length..]
            .Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(Similarity.Cosine(hidden, Reference(project)) > 0.99);

        // A second project with the same model and options takes every variant from the shared compile cache.
        string again = feed.CopyTestAsset("QuantizedApp", Model);
        string cached = feed.Build(again).ShouldSucceed().Output;
        Assert.Equal(5, cached.Split('\n').Count(l => l.Contains($"{Model}.onnx -> ", StringComparison.Ordinal) && l.Contains("[cached]", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_variant_outside_MaxAbsError_fails_the_build_naming_model_target_and_output()
    {
        string project = feed.CopyTestAsset("QuantizedApp", Model);
        string csproj = Path.Combine(project, "QuantizedApp.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("Targets=\"x64;arm64;cuda;mobile\"", "Targets=\"arm64\" Fallback=\"none\" MaxAbsError=\"0.0000001\""));

        Dotnet.Result result = feed.Build(project);

        Assert.NotEqual(0, result.ExitCode);
        string error = result.Output.Split('\n').First(l => l.Contains("error MB5010", StringComparison.Ordinal));
        Assert.Contains($"{Model}.onnx", error);
        Assert.Contains("variant arm64 int8", error);
        Assert.Contains("'last_hidden_state'", error);
        Assert.False(Directory.Exists(Path.Combine(project, "bin", "Release", "net10.0", "models")), "a failed model ships nothing");
    }

    private static float[] Reference(string project)
    {
        long[] ids = [1, 5, 42, 7, 99, 3, 0, 12];
        using var session = new InferenceSession(Path.Combine(project, "models", $"{Model}.onnx"));
        using var input = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
        using var results = session.Run(new RunOptions(), ["input_ids"], [input], ["last_hidden_state"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
