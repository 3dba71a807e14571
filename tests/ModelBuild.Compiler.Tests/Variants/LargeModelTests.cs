using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Tests.Quantization;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Variants;

/// <summary>
/// The large-model path (weights in external data over the limit), exercised with the limit lowered to 1 KB: variants
/// as a model file plus a <c>.data</c> file, verified by real ONNX Runtime, deterministic, cached, mobile refused.
/// </summary>
public sealed class LargeModelTests
{
    private static readonly LargeModelSettings Lowered = new(ExternalDataLimit: 1024, MinExternalTensorBytes: 1024);

    /// <summary>x[1,64] → MatMul W1[64,128] → Relu → MatMul W2[128,128] + b[128] → Relu → MatMul W3[128,32] → y; weights external.</summary>
    private static TempFolder WithExternalModel()
    {
        var graph = new GraphProto { Name = "mlp" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(1), Dim(64)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(1), Dim(32)]));
        graph.Initializer.Add(TestModels.Weight("W1", 1, 64, 128));
        graph.Initializer.Add(TestModels.Weight("W2", 2, 128, 128));
        graph.Initializer.Add(TestModels.Weight("b", 3, 128));
        graph.Initializer.Add(TestModels.Weight("W3", 4, 128, 32));
        graph.Node.Add(Node("MatMul", "fc1", ["x", "W1"], ["h1"]));
        graph.Node.Add(Node("Relu", "relu1", ["h1"], ["r1"]));
        graph.Node.Add(Node("MatMul", "fc2", ["r1", "W2"], ["m2"]));
        graph.Node.Add(Node("Add", "fc2_bias", ["m2", "b"], ["h2"]));
        graph.Node.Add(Node("Relu", "relu2", ["h2"], ["r2"]));
        graph.Node.Add(Node("MatMul", "fc3", ["r2", "W3"], ["y"]));
        var temp = new TempFolder();
        Assert.True(OnnxExternalDataWriter.Write(Model(graph), temp.Path, temp.File("net.onnx"), minTensorBytes: 256));
        return temp;
    }

    private static CompileJob Job(TempFolder temp, string output, string model = "net.onnx") =>
        Jobs.For(temp.File(model), temp.File(output)) with
        {
            Quantize = "int8", Targets = "cpu;x64;arm64", TargetQuantize = "cpu=none;x64=fp16",
        };

    private static string Hash(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Fp32_int8_and_fp16_variants_are_a_model_and_a_data_file_verified_against_the_original()
    {
        using TempFolder temp = WithExternalModel();
        CompileJob job = Job(temp, "out");

        var (ok, lines) = Jobs.Run(job, large: Lowered);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Equal(
            ["cpu/net.onnx", "cpu/net.onnx.data", "x64/net.onnx", "x64/net.onnx.data", "arm64/net.onnx", "arm64/net.onnx.data"],
            File.ReadAllLines(job.AssetListFile));
        JsonArray variants = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]!.AsArray();
        Assert.Equal(["Fp32", "Fp16Weights", "Int8"], variants.Select(v => (string?)v!["variant"]!["form"]));
        foreach (JsonNode? entry in variants)
        {
            JsonNode variant = entry!["variant"]!;
            string folder = Path.Combine(job.OutputDirectory, (string)variant["target"]!);
            string model = Path.Combine(folder, "net.onnx");
            Assert.Equal(Hash(model), (string?)variant["sha256"]);
            Assert.Equal(new FileInfo(model).Length + new FileInfo(model + ".data").Length, (long)variant["size"]!);
            Assert.InRange(new FileInfo(model).Length, 1, 4096); // the graph only: every weight is in the data file
            Assert.Equal(8, (int)variant["verification"]!["samples"]!);
            Assert.InRange((double)variant["verification"]!["outputs"]![0]!["cosine"]!, 0.99, 1.0);
            ModelProto written = OnnxModelReader.ReadFile(model);
            Assert.All(OnnxExternalData.Enumerate(written, folder), r => Assert.Equal("net.onnx.data", r.RelativeLocation));
        }
        Assert.Equal(3, (int)variants[2]!["variant"]!["quantizedNodes"]!);
        Assert.Equal(1.0, (double)variants[0]!["variant"]!["verification"]!["outputs"]![0]!["cosine"]!, 6);
    }

    [Fact]
    public void Two_compilations_give_byte_identical_files()
    {
        using TempFolder temp = WithExternalModel();
        CompileJob first = Job(temp, "a");
        CompileJob second = Job(temp, "b");

        Assert.True(Jobs.Run(first, large: Lowered).Ok);
        Assert.True(Jobs.Run(second, large: Lowered).Ok);

        foreach (string asset in File.ReadAllLines(first.AssetListFile))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.OutputDirectory, asset)), File.ReadAllBytes(Path.Combine(second.OutputDirectory, asset)));
        }
    }

    [Fact]
    public void The_cache_stores_and_restores_every_file_and_ignores_a_damaged_data_file()
    {
        using TempFolder temp = WithExternalModel();
        string cache = temp.File("cache");
        CompileJob first = Job(temp, "a");
        CompileJob second = Job(temp, "b");

        Assert.True(Jobs.Run(first, cacheDirectory: cache, large: Lowered).Ok);
        var (ok, lines) = Jobs.Run(second, cacheDirectory: cache, large: Lowered);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Equal(3, lines.Select(Jobs.Parse).Count(m => m.Kind == "info" && m.Text.EndsWith(" [cached]", StringComparison.Ordinal)));
        Assert.Equal(File.ReadAllLines(first.AssetListFile), File.ReadAllLines(second.AssetListFile));
        foreach (string asset in File.ReadAllLines(first.AssetListFile))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(first.OutputDirectory, asset)), File.ReadAllBytes(Path.Combine(second.OutputDirectory, asset)));
        }

        foreach (string data in Directory.EnumerateFiles(cache, "asset.data", SearchOption.AllDirectories))
        {
            File.WriteAllText(data, "damaged");
        }
        CompileJob third = Job(temp, "c");
        var (thirdOk, thirdLines) = Jobs.Run(third, cacheDirectory: cache, large: Lowered);
        Assert.True(thirdOk, string.Join("\n", thirdLines));
        Assert.Equal(3, thirdLines.Select(Jobs.Parse).Count(m => m.Kind == "warning" && m.Code == "MB5020"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(first.OutputDirectory, "x64", "net.onnx.data")),
            File.ReadAllBytes(Path.Combine(third.OutputDirectory, "x64", "net.onnx.data")));
    }

    [Fact]
    public void Zoo_external_data_model_compiles_on_the_large_path()
    {
        using var temp = new TempFolder();
        Zoo.Write("external-data.onnx", temp.Path);
        CompileJob job = Jobs.For(temp.File("external-data.onnx"), temp.File("out")) with { Targets = "cpu;x64", TargetQuantize = null, Optimize = "none" };

        var (ok, lines) = Jobs.Run(job, large: new LargeModelSettings(ExternalDataLimit: 10, MinExternalTensorBytes: 1024));

        Assert.True(ok, string.Join("\n", lines));
        // Unoptimized, the tensors that were external stay external, whatever their size.
        Assert.Equal(["cpu/external-data.onnx", "cpu/external-data.onnx.data", "x64/external-data.onnx", "x64/external-data.onnx.data"],
            File.ReadAllLines(job.AssetListFile));
        JsonNode variant = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]![0]!["variant"]!;
        Assert.Equal(1.0, (double)variant["verification"]!["outputs"]![0]!["cosine"]!, 6);
    }

    [Fact]
    public void Mobile_on_a_large_model_fails_with_MB5003_and_leaves_nothing_behind()
    {
        using TempFolder temp = WithExternalModel();
        CompileJob job = Job(temp, "out") with { Targets = "x64;mobile", TargetQuantize = null, Fallback = "none" };

        var (ok, lines) = Jobs.Run(job, large: Lowered);

        Assert.False(ok);
        var error = Jobs.SingleError(lines);
        Assert.Equal("MB5003", error.Code);
        Assert.Contains("ORT format, which cannot hold external data", error.Text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(job.OutputDirectory));
        Assert.False(File.Exists(job.AssetListFile));
    }
}
