using ModelBuild.Onnx.Protos;

namespace ModelZoo;

/// <summary>
/// Random initializers for the synthetic networks, drawn in call order from one seeded generator so a
/// model's bytes depend only on its configuration.
/// </summary>
public sealed class RandomWeights(ulong seed)
{
    private readonly SplitMix64 _random = new(seed);

    /// <summary>Values ~ N(mean, std²) (approximately; see <see cref="SplitMix64.NextNormal"/>).</summary>
    public float[] Normal(long count, float std, float mean = 0f)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = mean + std * _random.NextNormal();
        }

        return values;
    }

    /// <summary>A float initializer of shape <paramref name="dims"/> with N(mean, std²) values.</summary>
    public TensorProto Tensor(string name, long[] dims, float std, float mean = 0f) =>
        OnnxBuilder.Floats(name, dims, Normal(dims.Aggregate(1L, (a, b) => a * b), std, mean));
}
