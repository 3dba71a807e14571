using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using ModelZoo.Models;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests;

/// <summary>The emit pass through the whole pipeline: assets, signature file, asset list, failure cleanup.</summary>
public sealed class EmitPassTests
{
    private static CompileJob Compile(TempFolder temp, string name, string className = "Net")
    {
        Zoo.Write(name, temp.File("src"));
        CompileJob job = Jobs.For(Path.Combine(temp.File("src"), name), temp.File("out"), className);
        var (ok, lines) = Jobs.Run(job);
        Assert.True(ok, string.Join("\n", lines));
        return job;
    }

    private static JsonElement Signature(CompileJob job) => JsonDocument.Parse(File.ReadAllBytes(job.SignatureFile)).RootElement;

    private static void AssertNoTemporaryFiles(TempFolder temp) =>
        Assert.DoesNotContain(temp.Entries(), e => e.EndsWith(".tmp", StringComparison.Ordinal) || e.Contains(".staging", StringComparison.Ordinal));

    /// <summary>A dimension as the signature writes it: "batch", "4", or "?" for any size.</summary>
    private static string Dims(JsonElement type) =>
        type.GetProperty("shape").ValueKind == JsonValueKind.Null
            ? "null"
            : string.Join(",", type.GetProperty("shape").EnumerateArray().Select(d =>
                d.TryGetProperty("value", out JsonElement v) ? v.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)
                : d.TryGetProperty("param", out JsonElement p) ? p.GetString()! : "?"));

    private static string Describe(JsonElement value) =>
        $"{value.GetProperty("name").GetString()}:{value.GetProperty("type").GetProperty("kind").GetString()}:" +
        $"{value.GetProperty("type").GetProperty("elementType").GetString()}[{Dims(value.GetProperty("type"))}]";

    [Theory]
    [MemberData(nameof(LoadPassTests.ValidModels), MemberType = typeof(LoadPassTests))]
    public void Default_variant_is_the_cpu_asset_and_the_signature_hash_matches(string name)
    {
        using var temp = new TempFolder();
        CompileJob job = Compile(temp, name);

        byte[] asset = File.ReadAllBytes(Path.Combine(job.OutputDirectory, "cpu", name));
        JsonElement signature = Signature(job);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(asset)), signature.GetProperty("sha256").GetString());
        Assert.Equal($"models/Net/cpu/{name}", signature.GetProperty("assetPath").GetString());
        JsonElement variant = Assert.Single(signature.GetProperty("variants").EnumerateArray());
        Assert.Equal("cpu", variant.GetProperty("target").GetString());
        Assert.Equal(signature.GetProperty("sha256").GetString(), variant.GetProperty("sha256").GetString());
        Assert.Equal(name, signature.GetProperty("modelFileName").GetString());
        AssertNoTemporaryFiles(temp);
    }

    [Fact]
    public void ModelVersion_of_the_job_is_recorded_verbatim_in_the_signature()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.File("src"));
        CompileJob job = Jobs.For(Path.Combine(temp.File("src"), "iris-classifier.onnx"), temp.File("out")) with { ModelVersion = "2024.06-r3 \"beta\"" };
        var (ok, lines) = Jobs.Run(job);
        Assert.True(ok, string.Join("\n", lines));
        Assert.Equal("2024.06-r3 \"beta\"", Signature(job).GetProperty("modelVersion").GetString());
    }

    [Fact]
    public void Iris_signature_lists_inputs_and_outputs_exactly_as_the_model_says()
    {
        using var temp = new TempFolder();
        CompileJob job = Compile(temp, "iris-classifier.onnx", "IrisClassifier");

        byte[] bytes = File.ReadAllBytes(job.SignatureFile);
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "no BOM");
        JsonElement s = Signature(job);
        Assert.Equal(
            ["schema", "className", "namespace", "access", "modelFileName", "assetPath", "sha256", "irVersion", "opsetImports",
             "producerName", "producerVersion", "graphName", "docString", "modelVersion", "inputs", "outputs", "variants"],
            s.EnumerateObject().Select(p => p.Name));
        Assert.Equal("modelbuild-signature/1", s.GetProperty("schema").GetString());
        Assert.Equal("IrisClassifier", s.GetProperty("className").GetString());
        Assert.Equal("Test.Models", s.GetProperty("namespace").GetString());
        Assert.Equal("public", s.GetProperty("access").GetString());
        Assert.Equal(8, s.GetProperty("irVersion").GetInt64());
        JsonElement opset = Assert.Single(s.GetProperty("opsetImports").EnumerateArray());
        Assert.Equal("", opset.GetProperty("domain").GetString());
        Assert.Equal(13, opset.GetProperty("version").GetInt64());
        Assert.Equal("iris", s.GetProperty("graphName").GetString());
        Assert.Equal("", s.GetProperty("modelVersion").GetString());
        Assert.Equal(["features:tensor:float[batch,4]"], s.GetProperty("inputs").EnumerateArray().Select(Describe));
        Assert.Equal(["probabilities:tensor:float[batch,3]", "label:tensor:int64[batch]"], s.GetProperty("outputs").EnumerateArray().Select(Describe));
        Assert.StartsWith("Sepal length", s.GetProperty("inputs")[0].GetProperty("docString").GetString());
        Assert.Equal(
            ["cpu/iris-classifier.onnx"],
            File.ReadAllText(job.AssetListFile).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Dynamic_dims_keep_named_unnamed_and_unknown_rank()
    {
        using var temp = new TempFolder();
        JsonElement s = Signature(Compile(temp, "dynamic-dims.onnx"));

        Assert.Equal(["x:tensor:float[2,seq,?]", "anything:tensor:float[null]"], s.GetProperty("inputs").EnumerateArray().Select(Describe));
        Assert.Equal(["y:tensor:float[2,seq,?]", "same:tensor:float[null]"], s.GetProperty("outputs").EnumerateArray().Select(Describe));
        // "Any size" is an empty object, not a zero or an empty name.
        Assert.Equal(JsonValueKind.Object, s.GetProperty("inputs")[0].GetProperty("type").GetProperty("shape")[2].ValueKind);
        Assert.Empty(s.GetProperty("inputs")[0].GetProperty("type").GetProperty("shape")[2].EnumerateObject());
    }

    [Fact]
    public void Hostile_names_round_trip_through_the_json_verbatim()
    {
        using var temp = new TempFolder();
        JsonElement s = Signature(Compile(temp, "hostile-doc.onnx"));

        Assert.Equal(HostileDocModel.InputName, s.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Equal(HostileDocModel.OutputName, s.GetProperty("outputs")[0].GetProperty("name").GetString());
        Assert.Equal(HostileDocModel.HostileText, s.GetProperty("docString").GetString());
    }

    [Fact]
    public void Inputs_that_are_also_initializers_are_excluded()
    {
        using var temp = new TempFolder();
        ModelProto model = IrisClassifierModel.Build();
        model.Graph.Input.Add(Value("mean", DataType.Float, [Dim(4)]));
        model.Graph.Input.Add(Value("std", DataType.Float, [Dim(4)]));
        string file = temp.File("iris-overridable.onnx");
        OnnxModelWriter.WriteFile(model, file);
        CompileJob job = Jobs.For(file, temp.File("out"));

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Equal(["features"], Signature(job).GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
    }

    [Fact]
    public void Two_compilations_write_byte_identical_signatures()
    {
        using var temp = new TempFolder();
        Zoo.Write("hostile-doc.onnx", temp.Path);
        Zoo.Write("iris-classifier.onnx", temp.Path);
        foreach (string name in new[] { "iris-classifier.onnx", "hostile-doc.onnx" })
        {
            CompileJob first = Jobs.For(temp.File(name), temp.File("a"));
            CompileJob second = Jobs.For(temp.File(name), temp.File("b"));
            Assert.True(Jobs.Run(first).Ok);
            byte[] firstBytes = File.ReadAllBytes(first.SignatureFile);
            Assert.True(Jobs.Run(second).Ok);
            Assert.True(Jobs.Run(first).Ok);   // again, over its own earlier output

            Assert.Equal(firstBytes, File.ReadAllBytes(second.SignatureFile));
            Assert.Equal(firstBytes, File.ReadAllBytes(first.SignatureFile));
            Assert.DoesNotContain((byte)'\r', firstBytes);
            Assert.All(firstBytes, b => Assert.True(b < 0x80, "non-ASCII characters are escaped"));
        }
    }

    [Fact]
    public void External_data_is_read_into_the_variant_which_ships_as_one_file()
    {
        using var temp = new TempFolder();
        CompileJob job = Compile(temp, "external-data.onnx");

        Assert.Equal(["cpu/external-data.onnx"], File.ReadAllText(job.AssetListFile).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string asset = Path.Combine(job.OutputDirectory, "cpu", "external-data.onnx");
        Assert.Equal(["external-data.onnx"], Directory.EnumerateFiles(Path.GetDirectoryName(asset)!).Select(Path.GetFileName));
        ModelProto variant = OnnxModelReader.ReadFile(asset);
        Assert.All(variant.Graph.Initializer, t => Assert.NotEqual(TensorProto.Types.DataLocation.External, t.DataLocation));
        AssertNoTemporaryFiles(temp);
    }

    [Fact]
    public void Recompiling_replaces_the_output_folder_contents()
    {
        using var temp = new TempFolder();
        CompileJob job = Compile(temp, "iris-classifier.onnx");
        string stray = Path.Combine(job.OutputDirectory, "stale.bin");
        File.WriteAllText(stray, "left over");

        Assert.True(Jobs.Run(job).Ok);

        Assert.False(File.Exists(stray));
        Assert.True(File.Exists(Path.Combine(job.OutputDirectory, "cpu", "iris-classifier.onnx")));
    }

    [Theory]
    [InlineData("random.onnx", "MB1003")]
    [InlineData("validate", "MB1023")]
    public void A_failing_model_deletes_the_outputs_of_an_earlier_successful_compilation(string breakage, string code)
    {
        using var temp = new TempFolder();
        CompileJob job = Compile(temp, "iris-classifier.onnx");
        Assert.True(File.Exists(job.SignatureFile));
        Assert.True(File.Exists(job.AssetListFile));
        Assert.True(Directory.Exists(job.OutputDirectory));

        if (breakage == "validate")
        {
            ModelProto model = IrisClassifierModel.Build();
            model.Graph.Output.Add(Value("never", DataType.Float, [Dim(1)]));
            OnnxModelWriter.WriteFile(model, job.Model);
        }
        else
        {
            Zoo.Write(breakage, temp.File("bad"));
            File.Copy(Path.Combine(temp.File("bad"), breakage), job.Model, overwrite: true);
        }
        var (ok, lines) = Jobs.Run(job);

        Assert.False(ok);
        Assert.Equal(code, Jobs.SingleError(lines).Code);
        Assert.False(File.Exists(job.SignatureFile), "stale signature");
        Assert.False(File.Exists(job.AssetListFile), "stale asset list");
        Assert.False(Directory.Exists(job.OutputDirectory), "stale asset folder");
        AssertNoTemporaryFiles(temp);
    }

    [Fact]
    public void Failure_leaves_other_jobs_outputs_alone()
    {
        using var temp = new TempFolder();
        CompileJob good = Compile(temp, "iris-classifier.onnx", "Good");
        Zoo.Write("empty.onnx", temp.Path);

        Assert.False(Jobs.Run(Jobs.For(temp.File("empty.onnx"), temp.File("out"), "Bad")).Ok);

        Assert.True(File.Exists(good.SignatureFile));
        Assert.True(File.Exists(good.AssetListFile));
        Assert.True(File.Exists(Path.Combine(good.OutputDirectory, "cpu", "iris-classifier.onnx")));
    }

    [Fact]
    public void Signature_only_writes_the_signature_and_no_assets()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);
        CompileJob job = Jobs.For(temp.File("iris-classifier.onnx"), temp.File("out"));

        var (ok, lines) = Jobs.Run(job, signatureOnly: true);

        Assert.True(ok, string.Join("\n", lines));
        Assert.Equal("features", Signature(job).GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.False(File.Exists(job.AssetListFile));
        Assert.False(Directory.Exists(job.OutputDirectory));
        AssertNoTemporaryFiles(temp);
    }

    [Fact]
    public void Success_reports_one_info_line_per_variant_and_no_errors()
    {
        using var temp = new TempFolder();
        Zoo.Write("external-data.onnx", temp.Path);
        CompileJob job = Jobs.For(temp.File("external-data.onnx"), temp.File("out"));

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok);
        Assert.All(lines, l => Assert.StartsWith("##modelbuild|", l));
        Assert.DoesNotContain(lines, l => l.StartsWith("##modelbuild|error|", StringComparison.Ordinal));
        var info = Jobs.Parse(Assert.Single(lines, l => l.StartsWith("##modelbuild|info|", StringComparison.Ordinal)));
        Assert.StartsWith("external-data.onnx -> cpu none: ", info.Text);
    }
}
