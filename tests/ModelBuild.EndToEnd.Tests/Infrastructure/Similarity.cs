using Xunit;

namespace ModelBuild.EndToEnd.Tests.Infrastructure;

/// <summary>How close two outputs are, for comparing a built app's results with ONNX Runtime's.</summary>
internal static class Similarity
{
    /// <summary>Cosine similarity of two equally long vectors; two all-zero vectors count as equal.</summary>
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
        return na == 0 && nb == 0 ? 1 : dot / Math.Sqrt(na * nb);
    }
}
