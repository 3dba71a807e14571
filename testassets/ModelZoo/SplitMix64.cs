namespace ModelZoo;

/// <summary>
/// SplitMix64 pseudo-random generator: a few lines, fully specified, so the zoo produces the same
/// numbers on every machine and .NET version (System.Random's algorithm is not a contract).
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1), from the top 24 bits (exactly representable as float).</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>
    /// Approximately standard normal: the sum of four 16-bit uniforms from one draw (Irwin–Hall), centred
    /// and scaled to variance 1. Only exactly rounded IEEE arithmetic, so every platform gets the same bits
    /// (Box–Muller would depend on the C library's log/cos); the tails stop at ±3.46, which weights never miss.
    /// </summary>
    public float NextNormal()
    {
        ulong bits = NextUInt64();
        double sum = (double)(bits & 0xFFFF) + ((bits >> 16) & 0xFFFF) + ((bits >> 32) & 0xFFFF) + (bits >> 48);
        // Each 16-bit uniform has mean 65535/2 and variance (65536² - 1)/12; four of them: variance (65536² - 1)/3.
        const double Mean = 2 * 65535.0;
        double scale = 1.0 / Math.Sqrt((65536.0 * 65536.0 - 1.0) / 3.0);
        return (float)((sum - Mean) * scale);
    }

    public void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(NextUInt64() >> 56);
        }
    }
}
