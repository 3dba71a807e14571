using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Tflite;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Tests.Tflite;

/// <summary>Converts a hand-made TFLite model and runs it with ONNX Runtime, for the operator tests.</summary>
internal static class ConvertedTflite
{
    public static string Write(HandMadeTflite tflite)
    {
        string path = Path.Combine(Path.GetTempPath(), $"modelbuild-tflite-{Guid.NewGuid():N}.tflite");
        File.WriteAllBytes(path, tflite.Build());
        return path;
    }

    /// <summary>The converted ONNX model (conversion errors surface as <see cref="ModelBuildException"/>).</summary>
    public static Onnx.Protos.ModelProto Convert(HandMadeTflite tflite)
    {
        string path = Write(tflite);
        try
        {
            return TfliteReader.ReadFile(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static float[] Run(HandMadeTflite tflite, float[] x, int[] shape) => RunAll(tflite, x, shape).Values.Single();

    public static Dictionary<string, float[]> RunAll(HandMadeTflite tflite, float[] x, int[] shape)
    {
        string path = Write(tflite);
        try
        {
            var model = TfliteReader.ReadFile(path);
            using var session = new InferenceSession(OnnxModelWriter.Serialize(model));
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), new DenseTensor<float>(x, shape))]);
            return results.ToDictionary(r => r.Name, r => r.Value switch
            {
                Tensor<int> indices => [.. indices.Select(v => (float)v)],
                _ => r.AsTensor<float>().ToArray(),
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-4f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
