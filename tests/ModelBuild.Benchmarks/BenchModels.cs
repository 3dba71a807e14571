using Microsoft.ML.OnnxRuntime;
using ModelZoo;
using ModelZoo.Models;

namespace ModelBuild.Benchmarks;

/// <summary>A zoo model under benchmark and how to make deterministic inputs for it.</summary>
internal sealed record BenchModel(string Name, string ZooFile, string InputName, string OutputName, Func<int, OrtValue> CreateInput, string InputDescription);

/// <summary>The full-size zoo models the benchmarks measure, and the folder their variants live in.</summary>
internal static class BenchModels
{
    /// <summary>Set by <see cref="Program"/>; read by benchmark classes (also in a child process, should the toolchain change).</summary>
    public const string FolderVariable = "MODELBUILD_BENCH_MODELS";

    /// <summary>"1": use the zoo's small configurations (a quick check of the harness itself, not a measurement).</summary>
    public const string SmallVariable = "MODELBUILD_BENCH_SMALL";

    public static bool Small => Environment.GetEnvironmentVariable(SmallVariable) == "1";

    private static TransformerEncoderConfig Encoder => Small ? TransformerEncoderConfig.Small : TransformerEncoderConfig.Full;

    // The full encoder's longest input, as a BERT-style model is usually benchmarked.
    private static int Sequence => Encoder.MaxSequence;

    public static BenchModel Transformer => new("transformer-encoder", Small ? "transformer-encoder-small.onnx" : "transformer-encoder.onnx",
        "input_ids", "last_hidden_state",
        seed =>
        {
            var random = new SplitMix64(1000 + (ulong)seed);
            long[] ids = [.. Enumerable.Range(0, Sequence).Select(_ => (long)(random.NextUInt64() % (ulong)Encoder.Vocab))];
            return OrtValue.CreateTensorValueFromMemory(ids, [1, Sequence]);
        },
        $"input_ids [1, {Sequence}]");

    public static BenchModel ConvNet => new("conv-net", Small ? "conv-net-small.onnx" : "conv-net.onnx", "image", "logits",
        seed =>
        {
            int size = ConvNetConfig.ImageSize;
            var random = new SplitMix64(2000 + (ulong)seed);
            float[] pixels = [.. Enumerable.Range(0, 3 * size * size).Select(_ => random.NextSingle())];
            return OrtValue.CreateTensorValueFromMemory(pixels, [1, 3, size, size]);
        },
        $"image [1, 3, {ConvNetConfig.ImageSize}, {ConvNetConfig.ImageSize}]");

    public static IReadOnlyList<BenchModel> All => [Transformer, ConvNet];

    public static BenchModel Get(string name) => All.Single(m => m.Name == name);

    public static string Folder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder
            ? folder
            : throw new InvalidOperationException($"{FolderVariable} is not set: run the benchmarks through Program (./build.sh bench).");

    /// <summary>Where the variant of a model is written: {folder}/{model}.{variant}.onnx.</summary>
    public static string PathOf(BenchModel model, Variant variant) => PathOf(model, variant.Name);

    public static string PathOf(BenchModel model, string variant) => Path.Combine(Folder, $"{model.Name}.{variant}.onnx");
}
