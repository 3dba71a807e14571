using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using ModelZoo.Models;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>Every transform on the zoo's small transformer encoder and conv net: ORT runs them and outputs stay close.</summary>
public sealed class ZooModelTests
{
    private static NamedOnnxValue TokenIds()
    {
        var rng = new SplitMix64(41);
        var ids = new long[2 * 16];
        for (int i = 0; i < ids.Length; i++) ids[i] = (long)(rng.NextUInt64() % (ulong)TransformerEncoderConfig.Small.Vocab);
        return NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, [2, 16]));
    }

    [Theory]
    [InlineData("int8", 0.999)]
    [InlineData("int4", 0.99)]
    [InlineData("fp16-storage", 0.9999)]
    [InlineData("fp16-compute", 0.999)]
    public void Transformer_encoder(string transform, double minCosine)
    {
        ModelProto model = TransformerEncoderModel.Build(TransformerEncoderConfig.Small);
        ModelProto converted = model.Clone();
        QuantizationResult result = transform switch
        {
            "int8" => Int8DynamicQuantizer.Apply(converted, Int8WeightRange.Reduced), // the cpu/x64 form
            "int4" => Int4WeightQuantizer.Apply(converted),
            "fp16-storage" => Fp16WeightConverter.Apply(converted),
            _ => Fp16GraphConverter.Apply(converted),
        };

        Assert.True(result.QuantizedNodes > 0, string.Join("\n", result.KeptReasons));
        if (transform == "int8")
        {
            // The word embeddings are fp16 too; the position table (read by a Slice) stays fp32.
            Assert.Contains(converted.Graph.Initializer, t => t.Name == "embeddings.word_fp16");
            Assert.DoesNotContain(converted.Graph.Initializer, t => t.Name == "embeddings.word");
        }

        double cosine = Ort.Compare(model, converted, new Dictionary<string, DenseTensor<float>>(), [TokenIds()]);
        Assert.True(cosine >= minCosine, $"{transform}: cosine {cosine}");
    }

    [Fact]
    public void Conv_net_dynamic_int8_leaves_convs_and_quantizes_nothing_else_that_is_tiny()
    {
        ModelProto model = ConvNetModel.Build(ConvNetConfig.Small);
        ModelProto converted = model.Clone();
        QuantizationResult result = Int8DynamicQuantizer.Apply(converted, Int8WeightRange.Reduced);
        Assert.Equal(0, result.QuantizedNodes);
        Assert.DoesNotContain(result.KeptReasons, r => r.StartsWith("Conv", StringComparison.Ordinal));
        Assert.Contains(result.KeptReasons, r => r.StartsWith("Gemm 'head/fc': weight too small", StringComparison.Ordinal));
    }
}
