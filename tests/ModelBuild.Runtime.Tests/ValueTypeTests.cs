using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Onnx.Protos;
using static ModelBuild.Onnx.Protos.TensorProto.Types;

namespace ModelBuild.Runtime.Tests;

/// <summary>Sequences, maps, sequences of maps, optionals, scalars and empty tensors through real ONNX Runtime runs.</summary>
public sealed class ValueTypeTests
{
    private static TypeProto Tensor(DataType type, params object[] dims) => TestModels.Value("t", type, dims).Type;

    private static TypeProto Seq(TypeProto element) => new() { SequenceType = new TypeProto.Types.Sequence { ElemType = element } };

    private static TypeProto Opt(TypeProto element) => new() { OptionalType = new TypeProto.Types.Optional { ElemType = element } };

    private static TypeProto Map(DataType key, TypeProto value) =>
        new() { MapType = new TypeProto.Types.Map { KeyType = (int)key, ValueType = value } };

    private static ValueInfoProto V(string name, TypeProto type) => new() { Name = name, Type = type };

    private static ModelProto WithOpsets(GraphProto graph, long opset, bool ml = false)
    {
        var model = TestModels.Model(graph, opset);
        if (ml)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 1 });
        }

        return model;
    }

    /// <summary>seq: sequence(tensor(float)[n]), pos: int64 scalar → item = SequenceAt(seq, pos), pair = [item, item * 2].</summary>
    private static ModelProto SequenceModel() => WithOpsets(TestModels.Graph("sequences",
        [V("seq", Seq(Tensor(DataType.Float, "n"))), TestModels.Value("pos", DataType.Int64)],
        [V("item", Tensor(DataType.Float, "n")), V("pair", Seq(Tensor(DataType.Float, "n")))],
        [
            TestModels.Node("SequenceAt", ["seq", "pos"], ["item"]),
            TestModels.Node("Add", ["item", "item"], ["twice"]),
            TestModels.Node("SequenceConstruct", ["item", "twice"], ["pair"]),
        ]), 13);

    [Fact]
    public void Sequence_InAndOut()
    {
        using var fixture = new ModelFixture(SequenceModel());
        using var session = fixture.Load();
        using var inputs = new ModelInputs(session.Description);
        inputs.AddSequence(0, [new DenseTensor<float>(new float[] { 1, 2 }, [2]), new DenseTensor<float>(new float[] { 3, 4, 5 }, [3])]);
        inputs.Add(1, new DenseTensor<long>(new long[] { 1 }, []));
        using var results = session.Run(inputs);

        Assert.Equal([3f, 4f, 5f], results.GetTensor<float>(0).ToArray());
        var pair = results.GetSequence<float>(1);
        Assert.Equal(2, pair.Count);
        Assert.Equal([3f, 4f, 5f], pair[0].ToArray());
        Assert.Equal([6f, 8f, 10f], pair[1].ToArray());
        Assert.Equal([3], pair[1].Dimensions.ToArray());
        Assert.Same(pair, results.GetSequence<float>(1));
    }

    [Fact]
    public void Sequence_ChecksEveryElementAndRefusesWhatOrtCannotBuild()
    {
        using var fixture = new ModelFixture(SequenceModel());
        using var inputs = new ModelInputs(fixture.Description);
        var rank = Assert.Throws<ArgumentException>(() => inputs.AddSequence(0, [new DenseTensor<float>(new float[] { 1 }, [1]), new DenseTensor<float>([1, 1])]));
        Assert.Contains("'seq[1]' expects shape [n] but got [1, 1]", rank.Message);
        var type = Assert.Throws<ArgumentException>(() => inputs.AddSequence(0, [new DenseTensor<double>([1])]));
        Assert.Contains("float", type.Message);
        var empty = Assert.Throws<ArgumentException>(() => inputs.AddSequence(0, Array.Empty<DenseTensor<float>>()));
        Assert.Contains("empty sequence", empty.Message);
        var notTensor = Assert.Throws<ArgumentException>(() => inputs.Add(0, new DenseTensor<float>([1])));
        Assert.Contains("sequence(tensor(float)[n])", notTensor.Message);
    }

    /// <summary>x: float [N, 3] → ZipMap with int64 or string labels: sequence(map(K, tensor(float))).</summary>
    private static ModelProto ZipMapModel(bool stringLabels)
    {
        var labels = stringLabels
            ? new AttributeProto { Name = "classlabels_strings", Type = AttributeProto.Types.AttributeType.Strings, Strings = { Google.Protobuf.ByteString.CopyFromUtf8("cat"), Google.Protobuf.ByteString.CopyFromUtf8("dog"), Google.Protobuf.ByteString.CopyFromUtf8("émeu") } }
            : new AttributeProto { Name = "classlabels_int64s", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 10, 20, 30 } };
        var node = TestModels.Node("ZipMap", ["x"], ["probabilities"], labels);
        node.Domain = "ai.onnx.ml";
        return WithOpsets(TestModels.Graph("zipmap",
            [TestModels.Value("x", DataType.Float, "N", 3)],
            [V("probabilities", Seq(Map(stringLabels ? DataType.String : DataType.Int64, Tensor(DataType.Float))))],
            [node]), 13, ml: true);
    }

    [Fact]
    public void SequenceOfMaps_ZipMapOutputs()
    {
        using (var fixture = new ModelFixture(ZipMapModel(stringLabels: false)))
        using (var session = fixture.Load())
        using (var inputs = new ModelInputs(session.Description))
        {
            inputs.Add(0, new DenseTensor<float>(new float[] { 0.1f, 0.2f, 0.7f, 0.5f, 0.25f, 0.25f }, [2, 3]));
            using var results = session.Run(inputs);
            var rows = results.GetMapSequence<long, float>(0);
            Assert.Equal(2, rows.Count);
            Assert.Equal(0.7f, rows[0][30]);
            Assert.Equal(0.5f, rows[1][10]);
            Assert.Equal([10L, 20L, 30L], rows[1].Keys.Order());
            Assert.Throws<InvalidOperationException>(() => results.GetTensor<float>(0));
        }

        using (var fixture = new ModelFixture(ZipMapModel(stringLabels: true)))
        using (var session = fixture.Load())
        using (var inputs = new ModelInputs(session.Description))
        {
            inputs.Add(0, new DenseTensor<float>(new float[] { 0.1f, 0.2f, 0.7f }, [1, 3]));
            using var results = session.Run(inputs);
            var row = Assert.Single(results.GetMapSequence<string, float>(0));
            Assert.Equal(0.7f, row["émeu"]);
            Assert.Equal(0.2f, row["dog"]);
        }
    }

    /// <summary>counts: map(string, tensor(int64)) → DictVectorizer → float... as int64 [1, 3] in vocabulary order.</summary>
    [Fact]
    public void Map_Input_DictVectorizer()
    {
        var vocabulary = new AttributeProto { Name = "string_vocabulary", Type = AttributeProto.Types.AttributeType.Strings };
        foreach (var word in new[] { "a", "b", "c" })
        {
            vocabulary.Strings.Add(Google.Protobuf.ByteString.CopyFromUtf8(word));
        }

        var node = TestModels.Node("DictVectorizer", ["counts"], ["vector"], vocabulary);
        node.Domain = "ai.onnx.ml";
        using var fixture = new ModelFixture(WithOpsets(TestModels.Graph("dictvec",
            [V("counts", Map(DataType.String, Tensor(DataType.Int64)))],
            [TestModels.Value("vector", DataType.Int64, 1, 3)],
            [node]), 13, ml: true));
        using var session = fixture.Load();
        using var inputs = new ModelInputs(session.Description);
        Assert.Throws<ArgumentException>(() => inputs.AddMap(0, new Dictionary<long, long> { [1] = 2 }));
        inputs.AddMap(0, new Dictionary<string, long> { ["c"] = 7, ["a"] = 2 });
        using var results = session.Run(inputs);
        Assert.Equal([2L, 0L, 7L], results.GetTensor<long>(0).ToArray());
    }

    /// <summary>
    /// maybe: optional(tensor(float)[n]) → has = OptionalHasElement(maybe), and with <paramref name="echo"/> also
    /// echo = Identity(maybe), an optional output.
    /// </summary>
    private static ModelProto OptionalModel(bool echo) => WithOpsets(TestModels.Graph("optional",
        [V("maybe", Opt(Tensor(DataType.Float, "n")))],
        echo ? [TestModels.Value("has", DataType.Bool), V("echo", Opt(Tensor(DataType.Float, "n")))] : [TestModels.Value("has", DataType.Bool)],
        echo
            ? [TestModels.Node("OptionalHasElement", ["maybe"], ["has"]), TestModels.Node("Identity", ["maybe"], ["echo"])]
            : [TestModels.Node("OptionalHasElement", ["maybe"], ["has"])]), 18);

    [Fact]
    public void Optional_FedInputAndPresentOutput()
    {
        using var fixture = new ModelFixture(OptionalModel(echo: true));
        using var session = fixture.Load();
        Assert.True(session.Description.Inputs[0].IsOptional);
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<float>(new float[] { 1.5f, 2.5f }, [2]));
        using var results = session.Run(inputs);
        Assert.True(results.GetTensor<bool>(0).GetValue(0));
        Assert.True(results.HasValue(1));
        Assert.Equal([1.5f, 2.5f], results.GetTensor<float>(1).ToArray());
    }

    // An empty optional *output* is not tested: ONNX Runtime 1.31's C# Run crashes the process (SIGSEGV) while
    // wrapping it, before any ModelBuild code sees it (docs/architecture.md, "Value types").
    [Fact]
    public void Optional_OmittedInputIsNotFed()
    {
        using var fixture = new ModelFixture(OptionalModel(echo: false));
        using var session = fixture.Load();
        using var inputs = new ModelInputs(session.Description);
        using var results = session.Run(inputs);
        Assert.False(results.GetTensor<bool>(0).GetValue(0));

        using var required = new ModelFixture(TestModels.AddTwo());
        using var partial = new ModelInputs(required.Description);
        partial.Add(0, new DenseTensor<float>([1, 3]));
        using var requiredSession = required.Load();
        var ex = Assert.Throws<ArgumentException>(() => requiredSession.Run(partial));
        Assert.Contains("needs input 'b'", ex.Message);
    }

    [Fact]
    public void ScalarsAndEmptyTensors()
    {
        using (var scalar = new ModelFixture(TestModels.Identity(DataType.Double)))
        using (var session = scalar.Load())
        using (var inputs = new ModelInputs(session.Description))
        {
            Assert.Throws<ArgumentException>(() => inputs.Add(0, new DenseTensor<double>(new double[] { 1 }, [1])));
            inputs.Add(0, new DenseTensor<double>(new double[] { 42.5 }, []));
            using var results = session.Run(inputs);
            var y = results.GetTensor<double>(0);
            Assert.Equal(0, y.Rank);
            Assert.Equal(42.5, y.GetValue(0));
        }

        using (var empty = new ModelFixture(TestModels.Identity(DataType.Float, "n", 3)))
        using (var session = empty.Load())
        using (var inputs = new ModelInputs(session.Description))
        {
            inputs.Add(0, new DenseTensor<float>([0, 3]));
            using var results = session.Run(inputs);
            var y = results.GetTensor<float>(0);
            Assert.Equal([0, 3], y.Dimensions.ToArray());
            Assert.Equal(0, y.Length);
        }

        using (var emptyStrings = new ModelFixture(TestModels.Identity(DataType.String, 0)))
        using (var session = emptyStrings.Load())
        using (var inputs = new ModelInputs(session.Description))
        {
            inputs.Add(0, new DenseTensor<string>([0]));
            using var results = session.Run(inputs);
            Assert.Equal(0, results.GetTensor<string>(0).Length);
        }
    }

    public static TheoryData<DataType> ElementTypes() =>
    [
        DataType.Float, DataType.Double, DataType.Int8, DataType.Uint8, DataType.Int16, DataType.Uint16, DataType.Int32,
        DataType.Uint32, DataType.Int64, DataType.Uint64, DataType.Bool, DataType.String, DataType.Float16, DataType.Bfloat16,
    ];

    [Theory]
    [MemberData(nameof(ElementTypes))]
    public void EveryElementType_RoundTripsThroughIdentity(DataType type)
    {
        using var fixture = new ModelFixture(TestModels.Identity(type, 2, 2));
        using var session = fixture.Load();
        using var inputs = new ModelInputs(session.Description);
        int[] dims = [2, 2];
        object[] roundTripped = type switch
        {
            DataType.Float => RoundTrip(session, inputs, new DenseTensor<float>(new float[] { 1, -2, 3.5f, 0 }, dims)),
            DataType.Double => RoundTrip(session, inputs, new DenseTensor<double>(new double[] { 1, -2, 3.5, 1e300 }, dims)),
            DataType.Int8 => RoundTrip(session, inputs, new DenseTensor<sbyte>(new sbyte[] { 1, -2, 127, -128 }, dims)),
            DataType.Uint8 => RoundTrip(session, inputs, new DenseTensor<byte>(new byte[] { 1, 2, 255, 0 }, dims)),
            DataType.Int16 => RoundTrip(session, inputs, new DenseTensor<short>(new short[] { 1, -2, short.MaxValue, short.MinValue }, dims)),
            DataType.Uint16 => RoundTrip(session, inputs, new DenseTensor<ushort>(new ushort[] { 1, 2, ushort.MaxValue, 0 }, dims)),
            DataType.Int32 => RoundTrip(session, inputs, new DenseTensor<int>(new[] { 1, -2, int.MaxValue, int.MinValue }, dims)),
            DataType.Uint32 => RoundTrip(session, inputs, new DenseTensor<uint>(new uint[] { 1, 2, uint.MaxValue, 0 }, dims)),
            DataType.Int64 => RoundTrip(session, inputs, new DenseTensor<long>(new[] { 1, -2, long.MaxValue, long.MinValue }, dims)),
            DataType.Uint64 => RoundTrip(session, inputs, new DenseTensor<ulong>(new ulong[] { 1, 2, ulong.MaxValue, 0 }, dims)),
            DataType.Bool => RoundTrip(session, inputs, new DenseTensor<bool>(new[] { true, false, false, true }, dims)),
            DataType.String => RoundTrip(session, inputs, new DenseTensor<string>(new[] { "a", "", "ünï", "d\0e" }, dims)),
            DataType.Float16 => RoundTrip(session, inputs, new DenseTensor<Float16>(new[] { (Float16)1f, (Float16)(-2f), (Float16)0.5f, (Float16)65504f }, dims)),
            DataType.Bfloat16 => RoundTrip(session, inputs, new DenseTensor<BFloat16>(new[] { (BFloat16)1f, (BFloat16)(-2f), (BFloat16)0.5f, (BFloat16)3e38f }, dims)),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        Assert.Equal(roundTripped[0], roundTripped[1]);
    }

    private static object[] RoundTrip<T>(ModelSession session, ModelInputs inputs, DenseTensor<T> tensor)
    {
        inputs.Add(0, tensor);
        using var results = session.Run(inputs);
        return [tensor.ToArray(), results.GetTensor<T>(0).ToArray()];
    }
}
