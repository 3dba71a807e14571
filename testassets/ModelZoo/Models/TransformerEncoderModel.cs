using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelZoo.Models;

/// <summary>
/// Shape of a <see cref="TransformerEncoderModel"/>. <c>MaxSequence</c> is the row count of the position
/// embedding: the longest input the model accepts.
/// </summary>
public sealed record TransformerEncoderConfig(int Layers, int Hidden, int Heads, int Ffn, int MaxSequence, int Vocab)
{
    /// <summary>BERT-base width with 6 layers (DistilBERT-like): about 43 M parameters, 170 MB as fp32.</summary>
    public static TransformerEncoderConfig Full { get; } = new(Layers: 6, Hidden: 768, Heads: 12, Ffn: 3072, MaxSequence: 128, Vocab: 1000);

    /// <summary>The same graph at test size: about 540 KB, runs in milliseconds.</summary>
    public static TransformerEncoderConfig Small { get; } = new(Layers: 2, Hidden: 64, Heads: 4, Ffn: 128, MaxSequence: 32, Vocab: 1000);

    public int HeadSize => Hidden / Heads;
}

/// <summary>
/// transformer-encoder(-small).onnx: a BERT-style encoder with random weights, the shape that weight
/// quantization targets. input_ids int64 [batch, sequence] → token + position embeddings → LayerNorm →
/// <c>Layers</c> × (multi-head self-attention, residual, LayerNorm, FFN with erf-GELU, residual, LayerNorm)
/// → last_hidden_state float [batch, sequence, hidden]. Opset 17 (LayerNormalization); GELU is written in
/// standard ops (the Gelu op needs opset 20), which ONNX Runtime fuses back. Every projection is a MatMul
/// with a 2-D [in, out] weight initializer plus an Add of its bias, as exporters emit them. Weights ~ N(0, 0.02)
/// as BERT initialises them; LayerNorm keeps activations at unit scale through the stack.
/// </summary>
public static class TransformerEncoderModel
{
    public const float LayerNormEpsilon = 1e-12f;
    private const float WeightStd = 0.02f;
    private const ulong Seed = 0x7EA5_F0E3;

    public static ModelProto Build(TransformerEncoderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Hidden % config.Heads != 0)
        {
            throw new ArgumentException($"Hidden size {config.Hidden} is not a multiple of the head count {config.Heads}.", nameof(config));
        }

        var weights = new RandomWeights(Seed);
        var graph = new GraphProto { Name = "transformer_encoder" };
        graph.Input.Add(Value("input_ids", DataType.Int64, [Dim("batch"), Dim("sequence")], $"Token ids in [0, {config.Vocab})"));
        graph.Output.Add(Value("last_hidden_state", DataType.Float, [Dim("batch"), Dim("sequence"), Dim(config.Hidden)]));

        int h = config.Hidden;
        graph.Initializer.Add(Int64s("zero", [1], [0]));
        graph.Initializer.Add(Int64s("heads_shape", [4], [0, 0, config.Heads, config.HeadSize]));
        graph.Initializer.Add(Int64s("hidden_shape", [3], [0, 0, h]));
        graph.Initializer.Add(Scalar("attention_scale", 1f / MathF.Sqrt(config.HeadSize)));
        graph.Initializer.Add(Scalar("sqrt2", MathF.Sqrt(2f)));
        graph.Initializer.Add(Scalar("one", 1f));
        graph.Initializer.Add(Scalar("half", 0.5f));

        // Embeddings: the position table is sliced to the input's length, so any sequence up to MaxSequence runs.
        graph.Initializer.Add(weights.Tensor("embeddings.word", [config.Vocab, h], WeightStd));
        graph.Initializer.Add(weights.Tensor("embeddings.position", [config.MaxSequence, h], WeightStd));
        graph.Node.Add(Node("Gather", "embeddings/word", ["embeddings.word", "input_ids"], ["embeddings/word_out"], Int("axis", 0)));
        graph.Node.Add(Node("Shape", "embeddings/sequence_length", ["input_ids"], ["embeddings/sequence_length"], Int("start", 1), Int("end", 2)));
        graph.Node.Add(Node("Slice", "embeddings/position", ["embeddings.position", "zero", "embeddings/sequence_length", "zero"], ["embeddings/position_out"]));
        graph.Node.Add(Node("Add", "embeddings/sum", ["embeddings/word_out", "embeddings/position_out"], ["embeddings/sum"]));
        string hidden = LayerNorm(graph, weights, "embeddings/layer_norm", "embeddings/sum", h);

        for (int layer = 0; layer < config.Layers; layer++)
        {
            string output = layer == config.Layers - 1 ? "last_hidden_state" : $"layer{layer}/output";
            hidden = EncoderLayer(graph, weights, config, $"layer{layer}", hidden, output);
        }

        return Model(graph, opset: 17,
            docString: $"Synthetic BERT-style encoder ({config.Layers} layers, hidden {h}, {config.Heads} heads, FFN {config.Ffn}) with random weights, made by ModelBuild's model zoo.");
    }

    private static string EncoderLayer(GraphProto graph, RandomWeights weights, TransformerEncoderConfig config, string p, string input, string output)
    {
        int h = config.Hidden;
        string q = Linear(graph, weights, $"{p}/attention/query", input, h, h);
        string k = Linear(graph, weights, $"{p}/attention/key", input, h, h);
        string v = Linear(graph, weights, $"{p}/attention/value", input, h, h);

        // [batch, seq, hidden] → [batch, heads, seq, head]; K goes straight to [batch, heads, head, seq] for QKᵀ.
        string qh = SplitHeads(graph, $"{p}/attention/query", q, [0, 2, 1, 3]);
        string kt = SplitHeads(graph, $"{p}/attention/key", k, [0, 2, 3, 1]);
        string vh = SplitHeads(graph, $"{p}/attention/value", v, [0, 2, 1, 3]);

        graph.Node.Add(Node("MatMul", $"{p}/attention/scores", [qh, kt], [$"{p}/attention/scores"]));
        graph.Node.Add(Node("Mul", $"{p}/attention/scale", [$"{p}/attention/scores", "attention_scale"], [$"{p}/attention/scaled"]));
        graph.Node.Add(Node("Softmax", $"{p}/attention/softmax", [$"{p}/attention/scaled"], [$"{p}/attention/probs"], Int("axis", -1)));
        graph.Node.Add(Node("MatMul", $"{p}/attention/context", [$"{p}/attention/probs", vh], [$"{p}/attention/context"]));
        graph.Node.Add(Node("Transpose", $"{p}/attention/merge_transpose", [$"{p}/attention/context"], [$"{p}/attention/context_t"], Ints("perm", 0, 2, 1, 3)));
        graph.Node.Add(Node("Reshape", $"{p}/attention/merge", [$"{p}/attention/context_t", "hidden_shape"], [$"{p}/attention/merged"]));
        string attention = Linear(graph, weights, $"{p}/attention/output", $"{p}/attention/merged", h, h);

        graph.Node.Add(Node("Add", $"{p}/attention/residual", [input, attention], [$"{p}/attention/residual"]));
        string normed = LayerNorm(graph, weights, $"{p}/attention/layer_norm", $"{p}/attention/residual", h);

        string up = Linear(graph, weights, $"{p}/ffn/up", normed, h, config.Ffn);
        string gelu = Gelu(graph, $"{p}/ffn/gelu", up);
        string down = Linear(graph, weights, $"{p}/ffn/down", gelu, config.Ffn, h);

        graph.Node.Add(Node("Add", $"{p}/ffn/residual", [normed, down], [$"{p}/ffn/residual"]));
        return LayerNorm(graph, weights, $"{p}/ffn/layer_norm", $"{p}/ffn/residual", h, output);
    }

    /// <summary>x·W + b with W [in, out]: the MatMul-with-constant-weight pattern quantizers rewrite.</summary>
    private static string Linear(GraphProto graph, RandomWeights weights, string name, string input, int inFeatures, int outFeatures)
    {
        graph.Initializer.Add(weights.Tensor($"{name}.weight", [inFeatures, outFeatures], WeightStd));
        graph.Initializer.Add(weights.Tensor($"{name}.bias", [outFeatures], WeightStd));
        graph.Node.Add(Node("MatMul", $"{name}/matmul", [input, $"{name}.weight"], [$"{name}/matmul_out"]));
        graph.Node.Add(Node("Add", $"{name}/bias", [$"{name}/matmul_out", $"{name}.bias"], [$"{name}/out"]));
        return $"{name}/out";
    }

    private static string SplitHeads(GraphProto graph, string name, string input, long[] perm)
    {
        graph.Node.Add(Node("Reshape", $"{name}/split_heads", [input, "heads_shape"], [$"{name}/heads"]));
        graph.Node.Add(Node("Transpose", $"{name}/transpose", [$"{name}/heads"], [$"{name}/heads_t"], Ints("perm", perm)));
        return $"{name}/heads_t";
    }

    /// <summary>GELU, erf form: 0.5 · x · (1 + erf(x / √2)).</summary>
    private static string Gelu(GraphProto graph, string name, string input)
    {
        graph.Node.Add(Node("Div", $"{name}/div", [input, "sqrt2"], [$"{name}/div"]));
        graph.Node.Add(Node("Erf", $"{name}/erf", [$"{name}/div"], [$"{name}/erf"]));
        graph.Node.Add(Node("Add", $"{name}/add", [$"{name}/erf", "one"], [$"{name}/add"]));
        graph.Node.Add(Node("Mul", $"{name}/mul", [input, $"{name}/add"], [$"{name}/mul"]));
        graph.Node.Add(Node("Mul", $"{name}/half", [$"{name}/mul", "half"], [$"{name}/out"]));
        return $"{name}/out";
    }

    private static string LayerNorm(GraphProto graph, RandomWeights weights, string name, string input, int size, string? output = null)
    {
        // γ near 1 and β near 0, but not exactly, so a converter that drops or swaps them is visible.
        graph.Initializer.Add(weights.Tensor($"{name}.gamma", [size], WeightStd, mean: 1f));
        graph.Initializer.Add(weights.Tensor($"{name}.beta", [size], WeightStd));
        output ??= $"{name}/out";
        graph.Node.Add(Node("LayerNormalization", name, [input, $"{name}.gamma", $"{name}.beta"], [output],
            Int("axis", -1), Float("epsilon", LayerNormEpsilon)));
        return output;
    }
}
