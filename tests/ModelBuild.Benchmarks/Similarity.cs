namespace ModelBuild.Benchmarks;

/// <summary>How close a variant's output is to the fp32 model's, over the whole flattened output tensor.</summary>
internal static class Similarity
{
    public static double Cosine(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException($"Outputs differ in length: {expected.Length} and {actual.Length}.", nameof(actual));
        }

        double dot = 0, ee = 0, aa = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            dot += (double)expected[i] * actual[i];
            ee += (double)expected[i] * expected[i];
            aa += (double)actual[i] * actual[i];
        }

        return ee == 0 || aa == 0 ? (ee == aa ? 1 : 0) : dot / Math.Sqrt(ee * aa);
    }
}
