namespace ModelBuild.Compiler.Verification;

/// <summary>
/// Compares a variant's outputs with the original's.
/// <list type="bullet">
/// <item>Cosine similarity is accumulated in double (each vector scaled by its largest magnitude first, so huge
/// values cannot overflow); two all-zero vectors have cosine 1, one all-zero vector against a non-zero one 0. An
/// output's cosine is its worst sample's, so one broken sample is not averaged away.</item>
/// <item>NaN and ∞: positions where both sides hold the same non-finite value (NaN and NaN, +∞ and +∞) agree and are
/// left out of the sums; a non-finite value on one side only makes that sample's cosine 0 and max-abs error +∞.</item>
/// <item>Top-1 agreement is reported for outputs that look like class scores: one floating-point tensor of rank ≥ 2
/// whose last dimension is ≥ 2; every slice along the last axis is a row, its arg-max the first largest non-NaN
/// value. (Hidden states also match this shape test; their top-1 is harmless but meaningless.)</item>
/// <item>Outputs without floating-point elements (integers, bools, strings: labels, ids) are compared exactly:
/// cosine 1 when every element is equal, else 0; max-abs error is the largest integer difference (+∞ for a
/// differing string); <see cref="OutputMetrics.ExactMatch"/> gives the fraction of equal elements.</item>
/// <item>Different structure or shape (see <see cref="CapturedOutput.Layout"/>) in any sample: cosine 0, max-abs +∞.</item>
/// </list>
/// </summary>
internal static class OutputComparer
{
    public static OutputMetrics Compare(string name, IReadOnlyList<CapturedOutput> reference, IReadOnlyList<CapturedOutput> actual)
    {
        if (reference.Count != actual.Count || reference.Count == 0)
        {
            throw new ArgumentException("Both sides need the same, non-zero number of samples.");
        }

        bool exact = reference[0].IsExact;
        bool classScores = reference[0].FloatTensorShape is { Length: >= 2 } s && s[^1] >= 2;
        double cosine = 1, maxAbs = 0;
        long rows = 0, agreeing = 0, elements = 0, equal = 0;
        for (int i = 0; i < reference.Count; i++)
        {
            CapturedOutput r = reference[i], a = actual[i];
            if (r.Layout != a.Layout)
            {
                cosine = 0;
                maxAbs = double.PositiveInfinity;
                rows += classScores ? RowCount(r) : 0;
                elements += r.Integers.Length + r.Strings.Length;
                continue;
            }

            (double sampleCosine, double sampleMaxAbs) = CompareFloats(r.Floats, a.Floats);
            int sameIntegers = 0;
            for (int k = 0; k < r.Integers.Length; k++)
            {
                if (r.Integers[k] == a.Integers[k]) sameIntegers++;
                else sampleMaxAbs = Math.Max(sampleMaxAbs, (double)Int128.Abs(r.Integers[k] - a.Integers[k]));
            }
            int sameStrings = 0;
            for (int k = 0; k < r.Strings.Length; k++)
            {
                if (string.Equals(r.Strings[k], a.Strings[k], StringComparison.Ordinal)) sameStrings++;
                else sampleMaxAbs = double.PositiveInfinity;
            }
            if (sameIntegers != r.Integers.Length || sameStrings != r.Strings.Length) sampleCosine = 0;

            cosine = Math.Min(cosine, sampleCosine);
            maxAbs = Math.Max(maxAbs, sampleMaxAbs);
            elements += r.Integers.Length + r.Strings.Length;
            equal += sameIntegers + sameStrings;
            if (classScores)
            {
                (long sampleRows, long sampleAgreeing) = Top1(r.Floats, a.Floats, (int)r.FloatTensorShape![^1]);
                rows += sampleRows;
                agreeing += sampleAgreeing;
            }
        }

        double? top1 = classScores ? (rows == 0 ? 1 : (double)agreeing / rows) : null;
        double? exactMatch = exact ? (elements == 0 ? 1 : (double)equal / elements) : null;
        return new OutputMetrics(name, cosine, maxAbs, top1, exactMatch);
    }

    /// <summary>Cosine similarity and max absolute error of two equally long vectors (NaN/∞ rules above).</summary>
    public static (double Cosine, double MaxAbsError) CompareFloats(ReadOnlySpan<double> reference, ReadOnlySpan<double> actual)
    {
        if (reference.Length != actual.Length) return (0, double.PositiveInfinity);

        double scaleR = 0, scaleA = 0, maxAbs = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double r = reference[i], a = actual[i];
            if (!double.IsFinite(r) || !double.IsFinite(a))
            {
                bool same = double.IsNaN(r) ? double.IsNaN(a) : r.Equals(a);
                if (!same) return (0, double.PositiveInfinity);
                continue;
            }
            scaleR = Math.Max(scaleR, Math.Abs(r));
            scaleA = Math.Max(scaleA, Math.Abs(a));
            maxAbs = Math.Max(maxAbs, Math.Abs(r - a));
        }

        // Identical vectors get exactly 1 (the sums below may round to 0.9999999999999999).
        if (maxAbs == 0) return (1, 0);
        if (scaleR == 0 || scaleA == 0) return (0, maxAbs);

        double dot = 0, normR = 0, normA = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            double r = reference[i], a = actual[i];
            if (!double.IsFinite(r)) continue; // both non-finite and equal (checked above)
            r /= scaleR;
            a /= scaleA;
            dot += r * a;
            normR += r * r;
            normA += a * a;
        }
        return (Math.Clamp(dot / (Math.Sqrt(normR) * Math.Sqrt(normA)), -1, 1), maxAbs);
    }

    /// <summary>Rows (slices of <paramref name="classes"/> values) and how many have the same arg-max on both sides.</summary>
    public static (long Rows, long Agreeing) Top1(ReadOnlySpan<double> reference, ReadOnlySpan<double> actual, int classes)
    {
        long rows = reference.Length / classes, agreeing = 0;
        for (long row = 0; row < rows; row++)
        {
            int start = (int)(row * classes);
            if (ArgMax(reference.Slice(start, classes)) == ArgMax(actual.Slice(start, classes))) agreeing++;
        }
        return (rows, agreeing);
    }

    /// <summary>Index of the first largest non-NaN value; -1 when every value is NaN.</summary>
    public static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = -1;
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsNaN(values[i]) && (best < 0 || values[i] > values[best])) best = i;
        }
        return best;
    }

    private static long RowCount(CapturedOutput output) =>
        output.FloatTensorShape is { Length: >= 2 } s && s[^1] > 0 ? output.Floats.Length / s[^1] : 0;
}
