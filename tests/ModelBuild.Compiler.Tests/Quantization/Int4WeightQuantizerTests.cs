using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Quantization;

public sealed class Int4WeightQuantizerTests
{
    private const double MinCosine = 0.99;

    private static (ModelProto Quantized, QuantizationResult Result) Quantize(ModelProto model, int blockSize = 32)
    {
        ModelProto clone = model.Clone();
        return (clone, Int4WeightQuantizer.Apply(clone, blockSize));
    }

    private static long Attribute(NodeProto node, string name) => Assert.Single(node.Attribute, a => a.Name == name).I;

    [Fact]
    public void MatMul_and_gemm_become_MatMulNBits_with_the_contrib_layout()
    {
        ModelProto model = TestModels.Mlp();
        var (quantized, result) = Quantize(model);

        Assert.Equal(3, result.QuantizedNodes);
        var graph = quantized.Graph;
        Assert.Equal(["MatMulNBits", "Relu", "MatMulNBits", "Tanh", "MatMulNBits"], Int8DynamicQuantizerTests.Ops(graph));
        Assert.Contains(quantized.OpsetImport, o => o.Domain == "com.microsoft" && o.Version == 1);

        var fc1 = graph.Node[0];
        Assert.Equal("com.microsoft", fc1.Domain);
        Assert.Equal(["x", "W1_int4", "W1_int4_scales", "W1_int4_zero_points", "", "b1"], fc1.Input);
        Assert.Equal((64L, 128L, 4L, 32L), (Attribute(fc1, "K"), Attribute(fc1, "N"), Attribute(fc1, "bits"), Attribute(fc1, "block_size")));
        var b = Assert.Single(graph.Initializer, t => t.Name == "W1_int4");
        Assert.Equal((int)DataType.Uint8, b.DataType);
        Assert.Equal([128L, 2L, 16L], b.Dims); // [N, K/32, 32/2]
        Assert.Equal([256L], Assert.Single(graph.Initializer, t => t.Name == "W1_int4_scales").Dims);
        Assert.Equal([128L], Assert.Single(graph.Initializer, t => t.Name == "W1_int4_zero_points").Dims); // 2 blocks → 1 byte per column

        // Gemm transB=1: K = 128, N = 96.
        Assert.Equal((128L, 96L), (Attribute(graph.Node[2], "K"), Attribute(graph.Node[2], "N")));
        Assert.DoesNotContain(graph.Initializer, t => t.Name is "W1" or "W2" or "W3" or "C2");

        double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(21, ("x", [16, 64])));
        Assert.True(cosine >= MinCosine, $"cosine {cosine}");
    }

    [Fact]
    public void K_not_a_multiple_of_the_block_is_padded()
    {
        var graph = new GraphProto { Name = "odd" };
        graph.Input.Add(TestModels.FloatValue("x", 5, 100));
        graph.Output.Add(TestModels.FloatValue("y", 5, 72));
        graph.Initializer.Add(TestModels.Weight("W", 1, 100, 72));
        graph.Node.Add(Node("MatMul", "fc", ["x", "W"], ["y"]));
        ModelProto model = Model(graph);
        var (quantized, result) = Quantize(model);

        Assert.Equal(1, result.QuantizedNodes);
        var node = Assert.Single(quantized.Graph.Node);
        Assert.Equal(100L, Attribute(node, "K"));
        Assert.Equal([72L, 4L, 16L], Assert.Single(quantized.Graph.Initializer, t => t.Name == "W_int4").Dims);
        Assert.Equal([144L], Assert.Single(quantized.Graph.Initializer, t => t.Name == "W_int4_zero_points").Dims); // 4 blocks → 2 bytes
        double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(22, ("x", [5, 100])));
        Assert.True(cosine >= MinCosine, $"cosine {cosine}");
    }

    [Fact]
    public void Codes_dequantize_to_the_weights_within_half_a_step()
    {
        var rng = new ModelZoo.SplitMix64(3);
        int k = 40, n = 3;
        var w = new float[k * n];
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextSingle() * 3f - 1f;
        var (packed, scales, zeroPoints) = Int4WeightQuantizer.Quantize(w, k, n, 16);
        int blocks = 3;
        for (int col = 0; col < n; col++)
        {
            for (int row = 0; row < k; row++)
            {
                int block = row / 16, i = row % 16;
                byte packedByte = packed[(col * blocks + block) * 8 + i / 2];
                int code = i % 2 == 0 ? packedByte & 0xF : packedByte >> 4;
                byte zpByte = zeroPoints[col * 2 + block / 2];
                int zp = block % 2 == 0 ? zpByte & 0xF : zpByte >> 4;
                float scale = scales[col * blocks + block];
                Assert.InRange(Math.Abs((code - zp) * scale - w[row * n + col]), 0, scale / 2 + 1e-6f);
            }
        }
    }

    [Fact]
    public void Weights_in_if_branches_tiny_weights_and_shared_weights()
    {
        ModelProto model = TestModels.IfSubgraph();
        var (quantized, result) = Quantize(model);
        Assert.Equal(4, result.QuantizedNodes);
        Assert.Equal(["W_int4", "W_int4_scales", "W_int4_zero_points"], quantized.Graph.Initializer.Select(t => t.Name));
        foreach (bool cond in new[] { true, false })
        {
            var flag = NamedOnnxValue.CreateFromTensor("cond", new DenseTensor<bool>(new[] { cond }, []));
            double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(23, ("x", [2, 64])), [flag]);
            Assert.True(cosine >= MinCosine, $"cond {cond}: cosine {cosine}");
        }

        var (tiny, tinyResult) = Quantize(TestModels.TinyWeight());
        Assert.Equal(1, tinyResult.QuantizedNodes);
        Assert.Contains("MatMul 'small': weight too small (64 elements)", tinyResult.KeptReasons);
        Assert.Equal(["MatMul", "MatMul", "MatMulNBits"], Int8DynamicQuantizerTests.Ops(tiny.Graph));

        var (shared, sharedResult) = Quantize(TestModels.SharedWeight(withGather: true));
        Assert.Equal(2, sharedResult.QuantizedNodes);
        Assert.Equal(["W", "rows", "W_int4", "W_int4_scales", "W_int4_zero_points"], shared.Graph.Initializer.Select(t => t.Name));
    }

    [Fact]
    public void Model_is_under_a_fifth_of_the_size_and_output_is_deterministic()
    {
        ModelProto model = TestModels.Mlp();
        var (first, _) = Quantize(model);
        var (second, _) = Quantize(model);
        byte[] bytes = OnnxModelWriter.Serialize(first);
        Assert.Equal(bytes, OnnxModelWriter.Serialize(second));
        Assert.InRange((double)bytes.Length / OnnxModelWriter.Serialize(model).Length, 0.1, 0.2);

        var (again, result) = Quantize(first);
        Assert.Equal(0, result.QuantizedNodes);
        Assert.Equal(bytes, OnnxModelWriter.Serialize(again));
    }

    [Fact]
    public void Block_size_must_be_a_power_of_two_of_at_least_16() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Int4WeightQuantizer.Apply(TestModels.Mlp(), 24));
}
