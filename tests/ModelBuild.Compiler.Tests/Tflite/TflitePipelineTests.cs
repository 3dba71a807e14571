using System.Text.Json.Nodes;
using ModelZoo.Published;

namespace ModelBuild.Compiler.Tests.Tflite;

/// <summary>A real .tflite through the whole compiler: converted, compiled per target, verified, with TFLite's names in the signature.</summary>
public sealed class TflitePipelineTests
{
    [Fact]
    public void A_tflite_model_compiles_into_verified_onnx_and_ort_variants_with_its_own_names()
    {
        using var temp = new TempFolder();
        string model = temp.File("hey_jarvis.tflite");
        File.Copy(PublishedModels.OpenWakeWord.File("hey_jarvis_v0.1.tflite"), model);
        var job = Jobs.For(model, temp.File("out"), "HeyJarvis") with { Targets = "cpu;mobile" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Equal(["cpu/hey_jarvis.onnx", "mobile/hey_jarvis.ort", "mobile/hey_jarvis.required_operators.config"],
            File.ReadAllLines(job.AssetListFile));
        JsonNode signature = JsonNode.Parse(File.ReadAllText(job.SignatureFile))!;
        Assert.Equal("serving_default_x.1:0", (string?)signature["inputs"]![0]!["name"]);
        Assert.Equal([1, 16, 96], signature["inputs"]![0]!["type"]!["shape"]!.AsArray().Select(d => (int)d!["value"]!));
        Assert.Equal("PartitionedCall:0", (string?)signature["outputs"]![0]!["name"]);
        Assert.Equal("hey_jarvis.tflite", (string?)signature["modelFileName"]); // the source; its variants are ONNX and ORT files
        JsonNode report = JsonNode.Parse(File.ReadAllText(job.ReportFile!))!;
        foreach (JsonNode? variant in report["variants"]!.AsArray())
        {
            Assert.InRange((double)variant!["variant"]!["verification"]!["outputs"]![0]!["cosine"]!, 0.99999, 1.0);
        }
        // The mobile variant's report says how much of the model each mobile accelerator takes (ONNX Runtime's tables).
        JsonNode mobile = report["variants"]!.AsArray().Single(v => (string?)v!["variant"]!["target"] == "mobile")!["variant"]!;
        JsonArray providers = mobile["mobileProviders"]!.AsArray();
        Assert.Equal(["nnapi", "coreml"], providers.Select(p => (string?)p!["provider"]));
        foreach (JsonNode? provider in providers)
        {
            int nodes = (int)provider!["nodes"]!, supported = (int)provider["supported"]!;
            var unsupported = provider["unsupported"]!.AsObject();
            Assert.Equal(nodes, supported + unsupported.Sum(u => (int)u.Value!));
            Assert.True(supported > 0);
            Assert.Contains("If", unsupported.Select(u => u.Key)); // neither provider takes control flow
        }
        Assert.Null(report["variants"]![0]!["variant"]!["mobileProviders"]);
        // The converted model lived in the compiler's work folder only.
        Assert.DoesNotContain(Directory.EnumerateFiles(temp.Path, "*", SearchOption.AllDirectories), f => f.EndsWith(".converted.onnx"));
    }
}
