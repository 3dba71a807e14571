using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Tflite;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo.Published;

namespace ModelBuild.Compiler.Tests.Tflite;

/// <summary>
/// The oracle: openWakeWord publishes each network as .tflite and as .onnx. Each .tflite, converted, must compute
/// what its ONNX twin computes on the same inputs (ONNX Runtime runs both).
/// </summary>
public sealed class OpenWakeWordOracleTests
{
    /// <summary>Open dimensions after the batch: 1760 samples is openWakeWord's own frame (1280 new + 480 context).</summary>
    private const int AudioSamples = 1760;

    /// <summary>Every pair but hey_rhasspy, whose two files are different networks (see the test below).</summary>
    public static TheoryData<string> Models =>
        ["melspectrogram", "embedding_model", "alexa_v0.1", "hey_jarvis_v0.1", "hey_mycroft_v0.1", "timer_v0.1", "weather_v0.1"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Converted_tflite_computes_what_its_onnx_twin_computes(string name)
    {
        ModelProto converted = TfliteReader.ReadFile(PublishedModels.OpenWakeWord.File(name + ".tflite"));
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var fromTflite = new InferenceSession(OnnxModelWriter.Serialize(converted), options);
        using var twin = new InferenceSession(PublishedModels.OpenWakeWord.File(name + ".onnx"), options);

        var (convertedInput, convertedMeta) = fromTflite.InputMetadata.Single();
        int[] shape = [.. convertedMeta.Dimensions.Select((d, axis) => d >= 0 ? d : axis == 0 ? 1 : AudioSamples)]; // batch 1
        var expected = new List<float>();
        var actual = new List<float>();
        var random = new Random(13);
        for (int run = 0; run < 4; run++)
        {
            float scale = name == "melspectrogram" ? 3000 : 1; // audio as 16-bit sample values
            float[] data = [.. Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale)];
            actual.AddRange(RunFirstOutput(fromTflite, convertedInput, data, shape));
            expected.AddRange(RunFirstOutput(twin, twin.InputMetadata.Keys.Single(), data, TwinShape(twin, shape)));
        }

        Assert.Equal(expected.Count, actual.Count);
        double cosine = Quantization.Ort.Cosine([.. expected], [.. actual]);
        double maxError = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        double magnitude = Math.Max(1, expected.Max(Math.Abs));
        Assert.True(cosine >= 0.9999 && maxError <= 1e-3 * magnitude, $"{name}: cosine {cosine:F6}, max abs error {maxError:G4} (magnitude {magnitude:G4})");
    }

    [Fact]
    public void Hey_rhasspy_twins_are_different_networks_so_it_is_checked_by_structure_only()
    {
        // The package's hey_rhasspy_v0.1.onnx has 32 hidden units, its .tflite 64: no converter could match the two.
        ModelProto converted = TfliteReader.ReadFile(PublishedModels.OpenWakeWord.File("hey_rhasspy_v0.1.tflite"));
        ModelProto twin = OnnxModelReader.ReadFile(PublishedModels.OpenWakeWord.File("hey_rhasspy_v0.1.onnx"));
        Assert.Equal([64L, 1536], converted.Graph.Initializer.Single(i => i.Dims.Count == 2 && i.Dims[1] == 1536).Dims);
        Assert.Equal([32L, 1536], twin.Graph.Initializer.Single(i => i.Dims.Count == 2 && i.Dims[1] == 1536).Dims);

        using var session = new InferenceSession(OnnxModelWriter.Serialize(converted));
        float[] output = RunFirstOutput(session, session.InputMetadata.Keys.Single(), new float[16 * 96], [1, 16, 96]);
        Assert.InRange(Assert.Single(output), 0f, 1f); // a sigmoid score
    }

    [Fact]
    public void Reading_a_large_model_writes_nothing_to_standard_output()
    {
        // Standard output is the compiler's protocol channel; FlatBuffers' own C# verifier printed exceptions there past 32 KB.
        var captured = new StringWriter();
        TextWriter original = Console.Out;
        Console.SetOut(captured);
        try
        {
            TfliteReader.ReadFile(PublishedModels.OpenWakeWord.File("embedding_model.tflite"));
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Equal("", captured.ToString());
    }

    [Fact]
    public void Converted_models_keep_the_tflite_boundary_names_and_shapes()
    {
        ModelProto embedding = TfliteReader.ReadFile(PublishedModels.OpenWakeWord.File("embedding_model.tflite"));

        var input = Assert.Single(embedding.Graph.Input);
        Assert.Equal("serving_default_input_1:0", input.Name);
        // NHWC stays NHWC at the boundary: [batch, 76 frames, 32 mel bins, 1 channel].
        Assert.Equal([false, true, true, true], input.Type.TensorType.Shape.Dim.Select(d => d.HasDimValue));
        Assert.Equal([76L, 32, 1], input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Equal("StatefulPartitionedCall:0", Assert.Single(embedding.Graph.Output).Name);
        // Inside, convolutions run as NCHW; back-to-back layout transposes are not emitted twice per value.
        Assert.Equal(20, embedding.Graph.Node.Count(n => n.OpType == "Conv"));
        Assert.True(embedding.Graph.Node.Count(n => n.OpType == "Transpose") <= 2 * 25);
    }

    /// <summary>The twin's own shape where it fixes one (the converted shape otherwise).</summary>
    private static int[] TwinShape(InferenceSession twin, int[] shape)
    {
        int[] dims = twin.InputMetadata.Values.Single().Dimensions;
        return dims.Length == shape.Length ? [.. dims.Select((d, i) => d > 0 ? d : shape[i])] : shape;
    }

    private static float[] RunFirstOutput(InferenceSession session, string input, float[] data, int[] shape)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(data, shape))]);
        return [.. results.First().AsTensor<float>()];
    }
}
