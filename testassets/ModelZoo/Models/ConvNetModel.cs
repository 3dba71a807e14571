using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelZoo.Models;

/// <summary>Shape of a <see cref="ConvNetModel"/>: one entry per block (its channel count), convolutions per block.</summary>
public sealed record ConvNetConfig(int[] Channels, int ConvsPerBlock)
{
    public const int ImageSize = 64;
    public const int Classes = 10;

    /// <summary>VGG-like, 4 blocks of 2 convolutions (32–256 channels): about 1.2 M parameters, 0.4 GFLOP per image.</summary>
    public static ConvNetConfig Full { get; } = new([32, 64, 128, 256], ConvsPerBlock: 2);

    /// <summary>3 blocks of one convolution (8–32 channels): about 27 KB.</summary>
    public static ConvNetConfig Small { get; } = new([8, 16, 32], ConvsPerBlock: 1);
}

/// <summary>
/// conv-net(-small).onnx: an image classifier with random weights. image float [batch, 3, 64, 64] →
/// blocks of (Conv 3×3 pad 1 + Relu) ending in MaxPool 2×2 → GlobalAveragePool → Flatten → Gemm →
/// logits [batch, 10] → Softmax → probabilities. Opset 17. He-initialised weights keep activations at
/// a steady scale without normalisation layers, so logits depend on the image.
/// </summary>
public static class ConvNetModel
{
    private const ulong Seed = 0xC0_4E7;

    public static ModelProto Build(ConvNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var weights = new RandomWeights(Seed);
        var graph = new GraphProto { Name = "conv_net" };
        graph.Input.Add(Value("image", DataType.Float, [Dim("batch"), Dim(3), Dim(ConvNetConfig.ImageSize), Dim(ConvNetConfig.ImageSize)],
            "RGB image, channels first, values around [0, 1]"));
        graph.Output.Add(Value("logits", DataType.Float, [Dim("batch"), Dim(ConvNetConfig.Classes)]));
        graph.Output.Add(Value("probabilities", DataType.Float, [Dim("batch"), Dim(ConvNetConfig.Classes)]));

        string x = "image";
        int inChannels = 3;
        for (int block = 0; block < config.Channels.Length; block++)
        {
            int outChannels = config.Channels[block];
            for (int conv = 0; conv < config.ConvsPerBlock; conv++)
            {
                string name = $"block{block}/conv{conv}";
                int fanIn = inChannels * 3 * 3;
                graph.Initializer.Add(weights.Tensor($"{name}.weight", [outChannels, inChannels, 3, 3], MathF.Sqrt(2f / fanIn)));
                graph.Initializer.Add(weights.Tensor($"{name}.bias", [outChannels], 0.01f));
                graph.Node.Add(Node("Conv", name, [x, $"{name}.weight", $"{name}.bias"], [$"{name}/out"],
                    Ints("kernel_shape", 3, 3), Ints("pads", 1, 1, 1, 1), Ints("strides", 1, 1)));
                graph.Node.Add(Node("Relu", $"{name}/relu", [$"{name}/out"], [$"{name}/relu"]));
                x = $"{name}/relu";
                inChannels = outChannels;
            }

            graph.Node.Add(Node("MaxPool", $"block{block}/pool", [x], [$"block{block}/pool"], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
            x = $"block{block}/pool";
        }

        graph.Node.Add(Node("GlobalAveragePool", "head/pool", [x], ["head/pool"]));
        graph.Node.Add(Node("Flatten", "head/flatten", ["head/pool"], ["head/features"], Int("axis", 1)));
        graph.Initializer.Add(weights.Tensor("head/fc.weight", [ConvNetConfig.Classes, inChannels], 1f / MathF.Sqrt(inChannels)));
        graph.Initializer.Add(weights.Tensor("head/fc.bias", [ConvNetConfig.Classes], 0.01f));
        graph.Node.Add(Node("Gemm", "head/fc", ["head/features", "head/fc.weight", "head/fc.bias"], ["logits"], Int("transB", 1)));
        graph.Node.Add(Node("Softmax", "head/softmax", ["logits"], ["probabilities"], Int("axis", -1)));

        return Model(graph, opset: 17,
            docString: $"Synthetic image classifier (channels {string.Join("-", config.Channels)}, {config.ConvsPerBlock} conv per block) with random weights, made by ModelBuild's model zoo.");
    }
}
