namespace ModelBuild.Compiler.Verification;

/// <summary>
/// SplitMix64: fully specified, so sample inputs are the same on every machine and .NET version
/// (System.Random's algorithm is not a contract). Only exact arithmetic: no Math.Log/Cos whose last bit may vary.
/// </summary>
internal sealed class SampleRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// Approximately standard normal: the Irwin–Hall sum of four uniforms, centred and scaled to unit variance,
    /// so bounded to ±3.46 (no outliers that would dominate a max-abs error).
    /// </summary>
    public double NextNormal() => (NextDouble() + NextDouble() + NextDouble() + NextDouble() - 2.0) * 1.7320508075688772;

    /// <summary>Uniform integer in [0, bound), bound ≥ 1 (multiply-shift; the bias is negligible for sample data).</summary>
    public long NextBelow(long bound) => (long)(((UInt128)NextUInt64() * (ulong)bound) >> 64);
}
