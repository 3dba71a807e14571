using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Quantization;

public sealed class Fp16EmbeddingConverterTests
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

    private static (ModelProto Converted, QuantizationResult Result) Convert(ModelProto model)
    {
        ModelProto clone = model.Clone();
        return (clone, Fp16EmbeddingConverter.Apply(clone));
    }

    [Fact]
    public void Row_lookups_read_an_fp16_table_and_cast_back_for_ids_of_any_rank()
    {
        ModelProto model = TestModels.Embeddings();
        var (converted, result) = Convert(model);

        Assert.Equal(2, result.QuantizedNodes);
        Assert.Equal(["Gather 'tied_lookup': table is also read by other nodes or graphs"], result.KeptReasons);
        var graph = converted.Graph;
        Assert.Equal(["Gather", "Cast", "Gather", "Cast", "Gather", "Gather", "Transpose"], Int8DynamicQuantizerTests.Ops(graph));
        Assert.Equal(["word_fp16", "ids"], graph.Node[0].Input);
        Assert.Equal(["e"], graph.Node[1].Output);
        Assert.Equal(["word_fp16", "one"], graph.Node[2].Input); // the second lookup shares the fp16 copy
        Assert.Equal(["s"], graph.Node[3].Output);
        Assert.Equal((long)DataType.Float, graph.Node[1].Attribute.Single(a => a.Name == "to").I);

        // The fp32 word table is gone; cols (axis 1) and tied (also transposed) stay fp32.
        Assert.Equal(["cols", "tied", "word_fp16"], graph.Initializer.Select(t => t.Name));
        var table = graph.Initializer.Single(t => t.Name == "word_fp16");
        Assert.Equal((int)DataType.Float16, table.DataType);
        Assert.Equal([50L, 96L], table.Dims);

        foreach (int batch in new[] { 1, 4 })
        {
            double cosine = Ort.Compare(model, converted, new Dictionary<string, DenseTensor<float>>(), Ids(21, batch));
            Assert.True(cosine >= 0.99999, $"batch {batch}: cosine {cosine}");
        }
    }

    [Fact]
    public void Tables_beyond_the_fp16_range_and_before_opset_6_are_kept_with_the_reason()
    {
        ModelProto model = TestModels.Embeddings();
        int index = model.Graph.Initializer.IndexOf(model.Graph.Initializer.Single(t => t.Name == "word"));
        float[] values = TensorData.ReadFloats(model.Graph.Initializer[index]);
        values[^1] = 70000f; // above fp16's largest finite value, 65504
        model.Graph.Initializer[index] = TensorData.Float("word", [50, 96], values);
        var (converted, result) = Convert(model);
        Assert.Equal(0, result.QuantizedNodes);
        Assert.Contains("Gather 'word_lookup': table has values that are not finite in fp16", result.KeptReasons);
        Assert.Equal(OnnxModelWriter.Serialize(model), OnnxModelWriter.Serialize(converted));

        ModelProto old = TestModels.Embeddings(opset: 5);
        var (unchanged, oldResult) = Convert(old);
        Assert.Equal(0, oldResult.QuantizedNodes);
        Assert.Equal(["Gather: 3 nodes kept fp32 (opset below 6)"], oldResult.KeptReasons);
        Assert.Equal(OnnxModelWriter.Serialize(old), OnnxModelWriter.Serialize(unchanged));
    }

    [Fact]
    public void Int8_transform_converts_tables_too_byte_identically_and_a_second_pass_changes_nothing()
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
