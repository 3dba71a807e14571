using Google.Protobuf;
using Xunit.Abstractions;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using static ModelBuild.Compiler.Tests.Verification.SampleInputGeneratorTests;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Verification;

public sealed class SampleInputLoaderTests(ITestOutputHelper output)
{
    private const string TestData = "/usr/share/libonnx-testdata/data/node";

    private static ModelProto TwoInputs() => Model(Graph(
        Value("features", DataType.Float, [Dim("batch"), Dim(3)]),
        Value("ids", DataType.Int64, [Dim("batch")])));

    private static void WritePb(string path, TensorProto tensor)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, tensor.ToByteArray());
    }

    private static TensorProto Ids(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    [Fact]
    public void Loads_one_set_from_input_files_by_name_and_by_position()
    {
        using var temp = new TempFolder();
        // Named tensor in the second file, unnamed one (position 0) in the first.
        WritePb(temp.File("input_0.pb"), Floats("", [2, 3], [1, 2, 3, 4, 5, 6]));
        WritePb(temp.File("input_1.pb"), Ids("ids", 7, 9));
        File.WriteAllText(temp.File("output_0.pb"), "ignored");

        var sets = SampleInputLoader.Load(temp.Path, TwoInputs());

        SampleSet set = Assert.Single(sets);
        Assert.Equal(["features", "ids"], set.Inputs.Select(t => t.Name));
        Assert.Equal([1f, 2, 3, 4, 5, 6], Data<float>(set, "features"));
        Assert.Equal([2L, 3L], set.Inputs[0].Shape);
        Assert.Equal(TensorElementType.Int64, set.Inputs[1].ElementType);
        Assert.Equal([7L, 9L], Data<long>(set, "ids"));
    }

    [Fact]
    public void Loads_test_data_sets_in_numeric_order()
    {
        using var temp = new TempFolder();
        foreach (int i in new[] { 10, 2, 0 })
        {
            string set = temp.File($"test_data_set_{i}");
            WritePb(Path.Combine(set, "input_1.pb"), Ids("ids", i));
            WritePb(Path.Combine(set, "input_0.pb"), Floats("features", [1, 3], [i, i, i]));
        }

        var sets = SampleInputLoader.Load(temp.Path, TwoInputs());

        Assert.Equal([0L, 2L, 10L], sets.Select(s => Data<long>(s, "ids")[0]));
    }

    public static TheoryData<string, TensorProto, string> Mismatches => new()
    {
        { "type", Ids("features", 1, 2, 3), "holds int64 values; the input is float" },
        { "rank", Floats("features", [3], [1, 2, 3]), "has shape [3]; the input's shape is [batch, 3]" },
        { "dim", Floats("features", [1, 4], [1, 2, 3, 4]), "has shape [1, 4]; the input's shape is [batch, 3]" },
        { "count", new TensorProto { Name = "features", DataType = (int)DataType.Float, Dims = { 1, 3 }, FloatData = { 1, 2 } }, "float_data has 2 values where its dims need 3" },
        { "raw", new TensorProto { Name = "features", DataType = (int)DataType.Float, Dims = { 1, 3 }, RawData = ByteString.CopyFrom(new byte[5]) }, "raw_data has 5 bytes where its dims need 3 × 4" },
        { "name", Floats("weights", [1, 3], [1, 2, 3]), "holds tensor 'weights', but the model has no input of that name" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void Mismatches_name_the_file_and_the_input(string what, TensorProto tensor, string expected)
    {
        using var temp = new TempFolder();
        WritePb(temp.File("input_0.pb"), tensor);
        WritePb(temp.File("input_1.pb"), Ids("ids", 1));

        var e = Assert.Throws<ModelToolException>(() => SampleInputLoader.Load(temp.Path, TwoInputs()));

        Assert.Equal(ToolErrorCodes.SampleInvalid, e.Code);
        Assert.Contains(temp.File("input_0.pb"), e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        if (what != "name") Assert.Contains("'features'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_inputs_empty_folders_and_garbage_are_reported()
    {
        using var temp = new TempFolder();
        var e = Assert.Throws<ModelToolException>(() => SampleInputLoader.Load(temp.Path, TwoInputs()));
        Assert.Equal(ToolErrorCodes.SampleInvalid, e.Code);
        Assert.Contains("no input_<n>.pb", e.Message, StringComparison.Ordinal);

        WritePb(temp.File("input_0.pb"), Floats("features", [1, 3], [1, 2, 3]));
        e = Assert.Throws<ModelToolException>(() => SampleInputLoader.Load(temp.Path, TwoInputs()));
        Assert.Contains("lacks input(s) 'ids'", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(temp.File("input_1.pb"), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        e = Assert.Throws<ModelToolException>(() => SampleInputLoader.Load(temp.Path, TwoInputs()));
        Assert.Contains("input_1.pb' is not a serialized ONNX TensorProto", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ModelToolException>(() => SampleInputLoader.Load(temp.File("nope"), TwoInputs()));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loaded_samples_run_and_a_model_compared_with_itself_agrees()
    {
        using var temp = new TempFolder();
        ModelZoo.Zoo.Write("iris-classifier.onnx", temp.Path);
        string samples = temp.File("samples");
        WritePb(Path.Combine(samples, "test_data_set_0", "input_0.pb"), Floats("features", [2, 4], [5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f]));
        WritePb(Path.Combine(samples, "test_data_set_1", "input_0.pb"), Floats("", [1, 4], [5.9f, 3.0f, 4.2f, 1.5f]));

        var sets = SampleInputLoader.Load(samples, OnnxModelReader.ReadFile(temp.File("iris-classifier.onnx")));
        using var verifier = new ModelVerifier(temp.File("iris-classifier.onnx"), sets, latencyRuns: 1);
        var result = verifier.Verify(temp.File("iris-classifier.onnx"));

        Assert.All(result.Outputs, o => Assert.Equal((1.0, 0.0), (o.Cosine, o.MaxAbsError)));
    }

    [Fact]
    public void Loads_the_onnx_backend_test_data_when_installed()
    {
        if (!Directory.Exists(TestData))
        {
            output.WriteLine($"Skipped: {TestData} is not here (Debian package libonnx-testdata); the other loader tests use their own files.");
            return;
        }

        int checkedModels = 0;
        foreach (string name in new[] { "test_gather_0", "test_add", "test_cast_FLOAT_to_STRING", "test_and2d", "test_relu" })
        {
            string folder = Path.Combine(TestData, name);
            if (!File.Exists(Path.Combine(folder, "model.onnx"))) continue;
            ModelProto model = OnnxModelReader.ReadFile(Path.Combine(folder, "model.onnx"));
            var sets = SampleInputLoader.Load(folder, model);
            Assert.NotEmpty(sets);
            Assert.Equal(model.Graph.Input.Count, sets[0].Inputs.Count);

            // The expected outputs in output_*.pb equal what ORT computes from the loaded inputs.
            using var verifier = new ModelVerifier(Path.Combine(folder, "model.onnx"), sets, latencyRuns: 1);
            Assert.All(verifier.Verify(Path.Combine(folder, "model.onnx")).Outputs, o => Assert.Equal(1.0, o.Cosine));
            checkedModels++;
        }
        Assert.True(checkedModels > 0, "none of the chosen backend tests were found");
    }
}
