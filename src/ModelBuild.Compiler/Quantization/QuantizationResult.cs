namespace ModelBuild.Compiler.Quantization;

/// <summary>What a transform did: nodes rewritten, nodes it left alone, and why (short, one line each).</summary>
internal sealed record QuantizationResult(int QuantizedNodes, int KeptNodes, IReadOnlyList<string> KeptReasons)
{
    /// <summary>Both transforms' counts and reasons, as one.</summary>
    public QuantizationResult Plus(QuantizationResult other) =>
        new(QuantizedNodes + other.QuantizedNodes, KeptNodes + other.KeptNodes, [.. KeptReasons, .. other.KeptReasons]);
}

/// <summary>Range of int8 weights.</summary>
internal enum Int8WeightRange
{
    /// <summary>[-127, 127]: best accuracy; for CPUs with VNNI (or ARM), where u8×s8 products cannot saturate.</summary>
    Full,

    /// <summary>
    /// 7-bit weights [-64, 63] (symmetric: [-63, 63]): on AVX2 without VNNI, u8×s8 pairs are summed in int16
    /// (vpmaddubsw) and can saturate with full-range weights; ORT's quantizer calls this reduce_range.
    /// </summary>
    Reduced,

    /// <summary>
    /// uint8 weights over the full range [0, 255], asymmetric per output column (scale and zero point per column):
    /// with uint8 activations ORT runs its u8×u8 kernels, which widen to int16 before multiplying and so cannot
    /// saturate on any x64, while keeping all 8 bits of weight precision.
    /// </summary>
    Unsigned,
}

/// <summary>Collects kept-node reasons: per-node lines plus counted lines per category, in first-seen order.</summary>
internal sealed class KeptLog
{
    private readonly List<string> _lines = [];
    private readonly List<(string Key, int Count)> _counted = [];

    public int Kept { get; private set; }

    public void Node(string reason)
    {
        Kept++;
        _lines.Add(reason);
    }

    /// <summary>Counts a kept node under <paramref name="category"/> ("Conv ... kept fp32 (why)"), reported once.</summary>
    public void Counted(string category)
    {
        Kept++;
        int index = _counted.FindIndex(c => c.Key == category);
        if (index < 0) _counted.Add((category, 1));
        else _counted[index] = (category, _counted[index].Count + 1);
    }

    public QuantizationResult Result(int quantized)
    {
        var all = new List<string>(_counted.Count + _lines.Count);
        foreach (var (key, count) in _counted)
        {
            all.Add(key.Replace("{n}", count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{nodes}", count == 1 ? "node" : "nodes", StringComparison.Ordinal));
        }

        all.AddRange(_lines);
        return new QuantizationResult(quantized, Kept, all);
    }
}
