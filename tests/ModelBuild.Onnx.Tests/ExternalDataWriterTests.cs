using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Onnx.Tests;

/// <summary>The external-data writer: layout, aligned offsets, copies of existing external data, round trip through ONNX Runtime.</summary>
public sealed class ExternalDataWriterTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Dictionary<string, string> Entries(TensorProto tensor) => tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value);

    /// <summary>y = x · W1 · W2 + b; W1 [8,64] and W2 [64,16] inline, b [16] small.</summary>
    private static ModelProto TwoLayer()
    {
        var graph = new GraphProto { Name = "two" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(1), Dim(8)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(1), Dim(16)]));
        graph.Initializer.Add(Floats("W1", [8, 64], Enumerable.Range(0, 512).Select(i => (i % 7 - 3) / 10f).ToArray()));
        graph.Initializer.Add(Floats("W2", [64, 16], Enumerable.Range(0, 1024).Select(i => (i % 5 - 2) / 10f).ToArray()));
        graph.Initializer.Add(Floats("b", [16], Enumerable.Range(0, 16).Select(i => i / 4f).ToArray()));
        graph.Node.Add(Node("MatMul", "mm1", ["x", "W1"], ["h"]));
        graph.Node.Add(Node("MatMul", "mm2", ["h", "W2"], ["m"]));
        graph.Node.Add(Node("Add", "add", ["m", "b"], ["y"]));
        return Model(graph);
    }

    private static float[] Run(string path)
    {
        using var session = new InferenceSession(path);
        var x = new DenseTensor<float>(Enumerable.Range(0, 8).Select(i => i / 8f).ToArray(), [1, 8]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", x)]);
        return [.. results.First().AsEnumerable<float>()];
    }

    [Fact]
    public void Large_initializers_go_to_the_data_file_at_aligned_offsets_and_the_model_runs_the_same()
    {
        ModelProto model = TwoLayer();
        string inline = _folder.File("inline.onnx");
        OnnxModelWriter.WriteFile(model, inline);
        string split = _folder.File("split.onnx");

        Assert.True(OnnxExternalDataWriter.Write(model, _folder.Path, split, minTensorBytes: 1024));

        ModelProto written = OnnxModelReader.ReadFile(split);
        var w1 = Entries(written.Graph.Initializer[0]);
        var w2 = Entries(written.Graph.Initializer[1]);
        Assert.Equal(["location", "offset", "length"], written.Graph.Initializer[0].ExternalData.Select(e => e.Key));
        Assert.Equal("split.onnx.data", w1["location"]);
        Assert.Equal(("0", "2048"), (w1["offset"], w1["length"]));
        Assert.Equal(("4096", "4096"), (w2["offset"], w2["length"]));
        Assert.Equal(TensorProto.Types.DataLocation.External, written.Graph.Initializer[1].DataLocation);
        Assert.False(written.Graph.Initializer[0].HasRawData);
        Assert.True(written.Graph.Initializer[2].HasRawData); // 64 bytes: under the threshold, stays inline
        Assert.Equal(8192, new FileInfo(split + ".data").Length);
        Assert.Equal(model.Graph.Initializer[0].RawData, ByteString.CopyFrom(File.ReadAllBytes(split + ".data").AsSpan(0, 2048)));
        Assert.True(model.Graph.Initializer[0].HasRawData, "The caller's model is left as it was.");
        Assert.Equal(Run(inline), Run(split));
    }

    [Fact]
    public void External_tensors_are_copied_from_their_source_file_and_the_output_is_deterministic()
    {
        string source = _folder.File("source");
        Directory.CreateDirectory(source);
        Assert.True(OnnxExternalDataWriter.Write(TwoLayer(), source, Path.Combine(source, "m.onnx"), minTensorBytes: 1024));
        ModelProto external = OnnxModelReader.ReadFile(Path.Combine(source, "m.onnx"));
        string[] outputs = [_folder.File("a"), _folder.File("b")];
        foreach (string output in outputs)
        {
            Directory.CreateDirectory(output);
            // A high threshold: only the tensors that already were external go to the new data file.
            OnnxExternalDataWriter.Write(external, source, Path.Combine(output, "copy.onnx"), minTensorBytes: long.MaxValue);
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(outputs[0], "copy.onnx")), File.ReadAllBytes(Path.Combine(outputs[1], "copy.onnx")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(outputs[0], "copy.onnx.data")), File.ReadAllBytes(Path.Combine(outputs[1], "copy.onnx.data")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "m.onnx.data")), File.ReadAllBytes(Path.Combine(outputs[0], "copy.onnx.data")));
        ModelProto copy = OnnxModelReader.ReadFile(Path.Combine(outputs[0], "copy.onnx"));
        Assert.Equal("copy.onnx.data", Entries(copy.Graph.Initializer[1])["location"]);
        Assert.Equal(Run(Path.Combine(source, "m.onnx")), Run(Path.Combine(outputs[0], "copy.onnx")));

        // Loaded back in, the tensors are the original ones.
        OnnxExternalData.LoadIntoModel(copy, outputs[0]);
        Assert.Equal(TwoLayer().Graph.Initializer[1].RawData, copy.Graph.Initializer[1].RawData);
    }

    [Fact]
    public void Zoo_external_data_is_rehomed_even_under_the_threshold_and_no_data_file_without_external_tensors()
    {
        Zoo.Write("external-data.onnx", _folder.Path);
        ModelProto model = OnnxModelReader.ReadFile(_folder.File("external-data.onnx"));
        string output = _folder.File("out");
        Directory.CreateDirectory(output);

        Assert.True(OnnxExternalDataWriter.Write(model, _folder.Path, Path.Combine(output, "x.onnx"), minTensorBytes: 1 << 20));
        var offsets = OnnxModelReader.ReadFile(Path.Combine(output, "x.onnx")).Graph.Initializer.Select(t => Entries(t)["offset"]);
        Assert.Equal(["0", "4096"], offsets);

        Assert.False(OnnxExternalDataWriter.Write(TwoLayer(), output, Path.Combine(output, "small.onnx"), minTensorBytes: 1 << 20));
        Assert.False(File.Exists(Path.Combine(output, "small.onnx.data")));
    }

    [Fact]
    public void Writing_over_the_source_data_file_is_refused()
    {
        Zoo.Write("external-data.onnx", _folder.Path);
        ModelProto model = OnnxModelReader.ReadFile(_folder.File("external-data.onnx"));

        Assert.Throws<ArgumentException>(() => OnnxExternalDataWriter.Write(model, _folder.Path, _folder.File("external-data.onnx"), 0));
    }
}
