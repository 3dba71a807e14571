using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Verification;

public sealed class SampleInputGeneratorTests
{
    [Fact]
    public void Same_seed_gives_the_same_samples_and_more_samples_extend_fewer()
    {
        var model = TransformerModel();
        var a = SampleInputGenerator.Generate(model, 3, seed: 42);
        var b = SampleInputGenerator.Generate(model, 3, seed: 42);
        var longer = SampleInputGenerator.Generate(model, 5, seed: 42);
        var other = SampleInputGenerator.Generate(model, 3, seed: 43);

        Assert.Equal(3, a.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Data<long>(a[i], "input_ids"), Data<long>(b[i], "input_ids"));
            Assert.Equal(Data<long>(a[i], "input_ids"), Data<long>(longer[i], "input_ids"));
        }
        Assert.NotEqual(Data<long>(a[0], "input_ids"), Data<long>(other[0], "input_ids"));
        Assert.NotEqual(Data<long>(a[0], "input_ids"), Data<long>(a[1], "input_ids"));
    }

    [Fact]
    public void Known_values_pin_the_algorithm()
    {
        // SplitMix64 with seed 0 starts 0xE220A8397B1DCDAF: a changed generator would silently change every sample.
        Assert.Equal(0xE220A8397B1DCDAFUL, new SampleRandom(0).NextUInt64());
        var model = Model(Graph(Value("x", DataType.Float, [Dim(4)])));
        float[] first = Data<float>(SampleInputGenerator.Generate(model, 1, seed: 1)[0], "x");
        Assert.Equal(first, Data<float>(SampleInputGenerator.Generate(model, 1, seed: 1)[0], "x"));
    }

    [Fact]
    public void Token_ids_stay_below_the_vocabulary_and_the_transformer_runs_on_them()
    {
        var model = TransformerModel();
        var samples = SampleInputGenerator.Generate(model, 4, seed: 1);
        SampleTensor ids = samples[0].Inputs.Single();
        Assert.Equal([1L, 8L], ids.Shape); // batch → 1, sequence → 8
        Assert.All(samples.SelectMany(s => Data<long>(s, "input_ids")), v => Assert.InRange(v, 0, 999));
        Assert.Contains(samples.SelectMany(s => Data<long>(s, "input_ids")), v => v > 100); // spread over the table, not just [0, 10)

        using var temp = new TempFolder();
        Zoo.Write("transformer-encoder-small.onnx", temp.Path);
        using var verifier = new ModelVerifier(temp.File("transformer-encoder-small.onnx"), samples, latencyRuns: 1);
    }

    [Fact]
    public void Indices_are_bounded_through_casts_and_reshapes_and_masks_are_ones()
    {
        var graph = Graph(
            Value("ids", DataType.Int32, [Dim("batch"), Dim("seq")]),
            Value("attention_mask", DataType.Int64, [Dim("batch"), Dim("seq")]),
            Value("free", DataType.Int64, [Dim(16)]));
        graph.Initializer.Add(Floats("table", [5, 2], new float[10]));
        graph.Node.Add(Node("Cast", "cast", ["ids"], ["ids64"], Int("to", (long)DataType.Int64)));
        graph.Node.Add(Node("Gather", "gather", ["table", "ids64"], ["emb"], Int("axis", 0)));
        graph.Output.Add(Value("emb", DataType.Float, null));

        var samples = SampleInputGenerator.Generate(Model(graph), 10, seed: 5);

        var ids = samples.SelectMany(s => Data<int>(s, "ids")).ToList();
        Assert.All(ids, v => Assert.InRange(v, 0, 4));
        Assert.Equal(5, ids.Distinct().Count());
        Assert.All(samples.SelectMany(s => Data<long>(s, "attention_mask")), v => Assert.Equal(1, v));
        Assert.All(samples.SelectMany(s => Data<long>(s, "free")), v => Assert.InRange(v, 0, 9));
    }

    [Fact]
    public void Floats_are_small_and_images_are_in_the_unit_range()
    {
        var model = Model(Graph(
            Value("features", DataType.Float, [Dim("batch"), Dim(64)]),
            Value("image", DataType.Float, [AnyDim(), Dim(3), Dim("height"), Dim("width")])));
        var options = new SampleShapeOptions { ImageSize = 16 };
        var set = SampleInputGenerator.Generate(model, 1, seed: 9, options)[0];

        float[] features = Data<float>(set, "features");
        Assert.All(features, v => Assert.InRange(v, -3.47f, 3.47f));
        Assert.Contains(features, v => v < 0);
        Assert.InRange(features.Average(), -0.5, 0.5);

        SampleTensor image = set.Inputs.Single(t => t.Name == "image");
        Assert.Equal([1L, 3L, 16L, 16L], image.Shape);
        Assert.All((float[])image.Data, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Open_dimensions_follow_the_documented_defaults_and_agree_across_inputs()
    {
        var model = Model(Graph(
            Value("a", DataType.Float, [Dim("batch_size"), Dim("seq"), AnyDim()]),
            Value("b", DataType.Float, [Dim("batch_size"), Dim("seq")]),
            Value("c", DataType.Float, [AnyDim(), Dim("n_items")]),
            Value("d", DataType.Float, null),
            Value("nchw", DataType.Float, [Dim(1), Dim(3), AnyDim(), AnyDim()]),
            Value("nhwc", DataType.Float, [Dim(1), Dim("rows"), Dim("cols"), Dim(3)])));

        var shapes = SampleInputGenerator.Generate(model, 1, seed: 1)[0].Inputs.ToDictionary(t => t.Name, t => t.Shape);

        Assert.Equal([1L, 8L, 8L], shapes["a"]);
        Assert.Equal([1L, 8L], shapes["b"]);
        Assert.Equal([1L, 8L], shapes["c"]);
        Assert.Equal([8L], shapes["d"]);
        Assert.Equal([1L, 3L, 224L, 224L], shapes["nchw"]);
        Assert.Equal([1L, 224L, 224L, 3L], shapes["nhwc"]);

        var named = SampleInputGenerator.Generate(model, 1, seed: 1,
            new SampleShapeOptions { Named = new Dictionary<string, long> { ["seq"] = 3 }, BatchSize = 2 })[0].Inputs.ToDictionary(t => t.Name, t => t.Shape);
        Assert.Equal([2L, 3L, 8L], named["a"]);
        Assert.Equal([2L, 3L], named["b"]);
    }

    [Fact]
    public void Every_supported_element_type_is_generated_and_accepted_by_ORT()
    {
        DataType[] types =
        [
            DataType.Float, DataType.Double, DataType.Float16, DataType.Bfloat16, DataType.Int8, DataType.Uint8,
            DataType.Int16, DataType.Uint16, DataType.Int32, DataType.Uint32, DataType.Int64, DataType.Uint64,
            DataType.Bool, DataType.String,
        ];
        var graph = new GraphProto { Name = "identities" };
        foreach (DataType type in types)
        {
            string name = type.ToString().ToLowerInvariant();
            graph.Input.Add(Value("in_" + name, type, [Dim("batch"), Dim(3)]));
            graph.Output.Add(Value("out_" + name, type, [Dim("batch"), Dim(3)]));
            graph.Node.Add(Node("Identity", name, ["in_" + name], ["out_" + name]));
        }
        var model = Model(graph, opset: 21); // Identity takes bfloat16 and the rest from opset 13; 21 to be safe
        var samples = SampleInputGenerator.Generate(model, 2, seed: 11);
        Assert.Equal(typeof(Float16[]), samples[0].Inputs.Single(t => t.Name == "in_float16").Data.GetType());
        Assert.All(Data<string>(samples[0], "in_string"), s => Assert.Matches("^[a-z]{1,8}$", s));

        using var temp = new TempFolder();
        OnnxModelWriter.WriteFile(model, temp.File("identities.onnx"));
        using var verifier = new ModelVerifier(temp.File("identities.onnx"), samples, latencyRuns: 1);
        var result = verifier.Verify(temp.File("identities.onnx"));
        Assert.Equal(types.Length, result.Outputs.Count);
        Assert.All(result.Outputs, o => Assert.Equal((1.0, 0.0), (o.Cosine, o.MaxAbsError)));
        Assert.Equal(1.0, result.Outputs.Single(o => o.Output == "out_string").ExactMatch);
        Assert.Null(result.Outputs.Single(o => o.Output == "out_float").ExactMatch);
    }

    [Fact]
    public void Non_tensor_and_unsupported_inputs_are_reported()
    {
        var sequence = new ValueInfoProto
        {
            Name = "seq\ninput",
            Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = Value("e", DataType.Float, null).Type } },
        };
        var e = Assert.Throws<ModelToolException>(() => SampleInputGenerator.Generate(Model(Graph(sequence)), 1, 1));
        Assert.Equal(ToolErrorCodes.InputTypeUnsupported, e.Code);
        Assert.Contains("sequence", e.Message, StringComparison.Ordinal);
        Assert.Contains("seq\\u000ainput", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ModelToolException>(() => SampleInputGenerator.Generate(Model(Graph(Value("c", DataType.Complex64, [Dim(2)]))), 1, 1));
        Assert.Equal(ToolErrorCodes.InputTypeUnsupported, e.Code);
        Assert.Contains("complex64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Initializer_backed_inputs_are_not_generated()
    {
        var graph = Graph(Value("x", DataType.Float, [Dim(2)]), Value("w", DataType.Float, [Dim(2)]));
        graph.Initializer.Add(Floats("w", [2], [1, 2]));
        Assert.Equal(["x"], SampleInputGenerator.Generate(Model(graph, irVersion: 3, opset: 9), 1, 1)[0].Inputs.Select(t => t.Name));
    }

    internal static T[] Data<T>(SampleSet set, string name) => (T[])set.Inputs.Single(t => t.Name == name).Data;

    internal static GraphProto Graph(params ValueInfoProto[] inputs)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Input.AddRange(inputs);
        return graph;
    }

    private static ModelProto TransformerModel() =>
        ModelZoo.Models.TransformerEncoderModel.Build(ModelZoo.Models.TransformerEncoderConfig.Small);
}
