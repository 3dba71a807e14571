using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>Runs models with ONNX Runtime (CPU, one thread, all optimizations) and compares outputs.</summary>
internal static class Ort
{
    public sealed record Output(string Name, int[] Shape, float[] Values);

    public static SessionOptions Options()
    {
        var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /// <summary>Deterministic inputs: uniform in [-1, 1) from a fixed seed, shaped as given.</summary>
    public static Dictionary<string, DenseTensor<float>> RandomInputs(ulong seed, params (string Name, int[] Shape)[] inputs)
    {
        var rng = new SplitMix64(seed);
        var result = new Dictionary<string, DenseTensor<float>>(StringComparer.Ordinal);
        foreach (var (name, shape) in inputs)
        {
            var values = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < values.Length; i++) values[i] = rng.NextSingle() * 2f - 1f;
            result[name] = new DenseTensor<float>(values, shape);
        }

        return result;
    }

    public static List<Output> Run(ModelProto model, IReadOnlyDictionary<string, DenseTensor<float>> inputs, IEnumerable<NamedOnnxValue>? extra = null)
    {
        using var options = Options();
        using var session = new InferenceSession(OnnxModelWriter.Serialize(model), options);
        var feeds = inputs.Select(p => NamedOnnxValue.CreateFromTensor(p.Key, p.Value)).Concat(extra ?? []).ToList();
        using var results = session.Run(feeds);
        return results.Select(r =>
        {
            if (r.ElementType == TensorElementType.Int64)
            {
                var indices = r.AsTensor<long>();
                return new Output(r.Name, indices.Dimensions.ToArray(), [.. indices.Select(v => (float)v)]);
            }

            var tensor = r.AsTensor<float>();
            return new Output(r.Name, tensor.Dimensions.ToArray(), tensor.ToArray());
        }).ToList();
    }

    public static double Cosine(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 && nb == 0 ? 1 : dot / (Math.Sqrt(na) * Math.Sqrt(nb));
    }

    /// <summary>Runs both models, asserts same output names and shapes, returns the smallest cosine over outputs.</summary>
    public static double Compare(ModelProto original, ModelProto transformed, IReadOnlyDictionary<string, DenseTensor<float>> inputs, IEnumerable<NamedOnnxValue>? extra = null)
    {
        var expected = Run(original, inputs, extra?.ToList());
        var actual = Run(transformed, inputs, extra?.ToList());
        Assert.Equal(expected.Select(o => o.Name), actual.Select(o => o.Name));
        double min = 1;
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Shape, actual[i].Shape);
            Assert.All(actual[i].Values, v => Assert.True(float.IsFinite(v)));
            min = Math.Min(min, Cosine(expected[i].Values, actual[i].Values));
        }

        return min;
    }
}
