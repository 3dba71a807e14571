using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Quantization;

public sealed class EmbeddingQuantizerTests
{
    private static List<NamedOnnxValue> Ids(ulong seed, int batch)
    {
        var rng = new SplitMix64(seed);
        var ids = new long[batch * 3];
        for (int i = 0; i < ids.Length; i++) ids[i] = (long)(rng.NextUInt64() % 50);
        return
        [
            NamedOnnxValue.CreateFromTensor("ids", new DenseTensor<long>(ids, [batch, 3])),
            NamedOnnxValue.CreateFromTensor("one", new DenseTensor<long>(new[] { 7L }, [])),
        ];
    }

    private static (ModelProto Quantized, QuantizationResult Result) Quantize(ModelProto model)
    {
        ModelProto clone = model.Clone();
        return (clone, EmbeddingQuantizer.Apply(clone));
    }

    [Fact]
    public void Row_lookups_become_int8_rows_times_row_scales_for_ids_of_any_rank()
    {
        ModelProto model = TestModels.Embeddings();
        var (quantized, result) = Quantize(model);

        Assert.Equal(2, result.QuantizedNodes);
        Assert.Equal(["Gather 'tied_lookup': table is also read by other nodes or graphs"], result.KeptReasons);
        var graph = quantized.Graph;
        Assert.Equal(["Gather", "Cast", "Gather", "Mul", "Gather", "Cast", "Gather", "Mul", "Gather", "Gather", "Transpose"],
            Int8DynamicQuantizerTests.Ops(graph));
        Assert.Equal(["word_int8", "ids"], graph.Node[0].Input);
        Assert.Equal(["word_int8_scale", "ids"], graph.Node[2].Input);
        Assert.Equal(["e"], graph.Node[3].Output);
        Assert.Equal(["word_int8", "one"], graph.Node[4].Input); // the second lookup shares the int8 copy
        Assert.Equal(["s"], graph.Node[7].Output);

        // The fp32 word table is gone; cols (axis 1) and tied (also transposed) stay fp32.
        Assert.Equal(["cols", "tied", "word_int8", "word_int8_scale"], graph.Initializer.Select(t => t.Name));
        var table = graph.Initializer.Single(t => t.Name == "word_int8");
        Assert.Equal((int)DataType.Int8, table.DataType);
        Assert.Equal([50L, 96L], table.Dims);
        Assert.Equal([50L, 1L], graph.Initializer.Single(t => t.Name == "word_int8_scale").Dims);
        Assert.Equal(127, table.RawData.Span.ToArray().Max(b => Math.Abs((int)(sbyte)b)));

        foreach (int batch in new[] { 1, 4 })
        {
            double cosine = Ort.Compare(model, quantized, new Dictionary<string, DenseTensor<float>>(), Ids(21, batch));
            Assert.True(cosine >= 0.9999, $"batch {batch}: cosine {cosine}");
        }
    }

    [Fact]
    public void Each_row_comes_back_within_half_a_step_of_its_own_scale()
    {
        float[] table = [0.5f, -1f, 0.25f, 0f, 0f, 0f, 100f, 3f, -50f]; // [3, 3]: a zero row and a row of large values
        var (values, scales) = EmbeddingQuantizer.Quantize(table, 3, 3);
        Assert.Equal([1f / 127, 1f, 100f / 127], scales);
        for (int i = 0; i < table.Length; i++)
        {
            float back = values[i] * scales[i / 3];
            Assert.True(MathF.Abs(back - table[i]) <= scales[i / 3] / 2, $"element {i}: {back} vs {table[i]}");
        }
    }

    [Fact]
    public void Before_opset_7_lookups_are_kept_with_the_reason()
    {
        ModelProto model = TestModels.Embeddings(opset: 6);
        var (quantized, result) = Quantize(model);

        Assert.Equal(0, result.QuantizedNodes);
        Assert.Equal(["Gather: 3 nodes kept fp32 (opset below 7)"], result.KeptReasons);
        Assert.Equal(OnnxModelWriter.Serialize(model), OnnxModelWriter.Serialize(quantized));
    }

    [Fact]
    public void Int8_transform_quantizes_tables_too_and_a_second_pass_changes_nothing()
    {
        ModelProto model = TestModels.Embeddings();
        ModelProto first = model.Clone(), second = model.Clone();
        QuantizationResult result = Int8DynamicQuantizer.Apply(first, Int8WeightRange.Unsigned);
        Int8DynamicQuantizer.Apply(second, Int8WeightRange.Unsigned);

        Assert.Equal(2, result.QuantizedNodes);
        byte[] bytes = OnnxModelWriter.Serialize(first);
        Assert.Equal(bytes, OnnxModelWriter.Serialize(second));
        ModelProto again = first.Clone();
        Assert.Equal(0, Int8DynamicQuantizer.Apply(again, Int8WeightRange.Unsigned).QuantizedNodes);
        Assert.Equal(bytes, OnnxModelWriter.Serialize(again));
    }
}
