using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelZoo;
using ModelZoo.Models;

namespace ModelBuild.Onnx.Tests;

/// <summary>
/// The zoo's synthetic benchmark networks (small configurations) run in ONNX Runtime and produce realistic,
/// non-degenerate activations: quantization results measured on them mean something.
/// </summary>
public sealed class SyntheticModelTests(ZooFixture zoo) : IClassFixture<ZooFixture>
{
    private static readonly TransformerEncoderConfig Encoder = TransformerEncoderConfig.Small;

    [Fact]
    public void TransformerEncoderHasTheBertLayout()
    {
        var model = OnnxModelReader.ReadFile(zoo.PathOf("transformer-encoder-small.onnx"));

        Assert.Equal(17, model.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.Equal(["input_ids"], model.Graph.Input.Select(i => i.Name));
        Assert.Equal(["last_hidden_state"], model.Graph.Output.Select(o => o.Name));
        var ops = model.Graph.Node.Select(n => n.OpType).ToList();
        Assert.Equal(1 + 2 * Encoder.Layers, ops.Count(op => op == "LayerNormalization"));
        Assert.Equal(Encoder.Layers, ops.Count(op => op == "Erf"));
        Assert.Equal(Encoder.Layers, ops.Count(op => op == "Softmax"));

        // Six projections per layer, each a MatMul with a 2-D initializer weight (what weight quantizers rewrite).
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name);
        int weightMatMuls = model.Graph.Node.Count(n => n.OpType == "MatMul" && initializers.TryGetValue(n.Input[1], out var w) && w.Dims.Count == 2);
        Assert.Equal(6 * Encoder.Layers, weightMatMuls);

        long bytes = new FileInfo(zoo.PathOf("transformer-encoder-small.onnx")).Length;
        Assert.InRange(bytes, 100_000, 1_000_000);
    }

    [Theory]
    [InlineData(1, 32)]
    [InlineData(3, 7)]
    public void TransformerEncoderOutputIsLayerNormalizedAndDependsOnTheTokens(int batch, int sequence)
    {
        using var session = new InferenceSession(zoo.PathOf("transformer-encoder-small.onnx"));
        var random = new SplitMix64(42);
        long[] ids = [.. Enumerable.Range(0, batch * sequence).Select(_ => (long)(random.NextUInt64() % (ulong)Encoder.Vocab))];
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, [batch, sequence]))]);
        var output = results.Single().AsTensor<float>();

        Assert.Equal([batch, sequence, Encoder.Hidden], output.Dimensions.ToArray());
        float[] values = [.. output];
        Assert.All(values, v => Assert.True(float.IsFinite(v)));

        // Every token's vector is LayerNorm output: mean ≈ 0 and std ≈ 1 (γ ≈ 1, β ≈ 0 with std 0.02).
        for (int token = 0; token < batch * sequence; token++)
        {
            var row = values.AsSpan(token * Encoder.Hidden, Encoder.Hidden);
            (double mean, double std) = MeanStd(row);
            Assert.InRange(mean, -0.05, 0.05);
            Assert.InRange(std, 0.9, 1.1);
        }

        // Different tokens give clearly different vectors (attention has not collapsed them).
        double similarity = Cosine(values.AsSpan(0, Encoder.Hidden), values.AsSpan(Encoder.Hidden, Encoder.Hidden));
        Assert.True(similarity < 0.9, $"Two tokens' outputs are nearly identical (cosine {similarity}).");
    }

    [Fact]
    public void ConvNetLogitsVaryAcrossImagesAndProbabilitiesSumToOne()
    {
        const int Batch = 4;
        int size = ConvNetConfig.ImageSize;
        var random = new SplitMix64(7);
        float[] pixels = [.. Enumerable.Range(0, Batch * 3 * size * size).Select(_ => random.NextSingle())];

        using var session = new InferenceSession(zoo.PathOf("conv-net-small.onnx"));
        Assert.Equal(["logits", "probabilities"], session.OutputNames);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<float>(pixels, [Batch, 3, size, size]))]);
        var logits = results.Single(r => r.Name == "logits").AsTensor<float>();
        var probabilities = results.Single(r => r.Name == "probabilities").AsTensor<float>();

        Assert.Equal([Batch, ConvNetConfig.Classes], logits.Dimensions.ToArray());
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        Assert.True(MeanStd([.. logits]).Std > 0.01, "Logits are nearly constant.");
        for (int image = 0; image < Batch; image++)
        {
            Assert.Equal(1.0, Enumerable.Range(0, ConvNetConfig.Classes).Sum(c => (double)probabilities[image, c]), 4);
        }

        // Each image gets its own logits, not a shared bias.
        float[] all = [.. logits];
        for (int image = 1; image < Batch; image++)
        {
            double difference = Enumerable.Range(0, ConvNetConfig.Classes).Max(c => Math.Abs(all[image * ConvNetConfig.Classes + c] - all[c]));
            Assert.True(difference > 1e-4, $"Image {image} has the same logits as image 0.");
        }
    }

    [Fact]
    public void FullSizeModelsAreWrittenOnlyOnRequest()
    {
        Assert.Equal(["transformer-encoder.onnx", "conv-net.onnx"], Zoo.LargeNames);
        Assert.Empty(Zoo.LargeNames.Intersect(Zoo.Names));
        Assert.All(Zoo.LargeNames, name => Assert.False(File.Exists(zoo.PathOf(name))));
    }

    private static (double Mean, double Std) MeanStd(ReadOnlySpan<float> values)
    {
        double sum = 0, squares = 0;
        foreach (float v in values)
        {
            sum += v;
            squares += (double)v * v;
        }

        double mean = sum / values.Length;
        return (mean, Math.Sqrt(Math.Max(0, squares / values.Length - mean * mean)));
    }

    private static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }
}
