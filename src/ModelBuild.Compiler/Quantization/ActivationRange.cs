namespace ModelBuild.Compiler.Quantization;

/// <summary>How an activation's range is taken from calibration: all of it, or without the rarest outliers.</summary>
internal enum RangeMethod
{
    MinMax,
    Percentile,
}

/// <summary>
/// A calibrated activation: its extreme values and its 0.01 / 99.99 percentiles over the calibration inputs (from an
/// evenly strided subsample of each run, so huge feature maps cost bounded memory).
/// </summary>
internal sealed record ActivationRange(float Min, float Max, float Low, float High)
{
    public const double Percentile = 99.99;

    /// <summary>uint8 scale and zero point for the range (always including 0, so 0 is exact as ONNX requires).</summary>
    public (float Scale, byte ZeroPoint) UInt8(RangeMethod method)
    {
        float lo = MathF.Min(0f, method == RangeMethod.MinMax ? Min : Low), hi = MathF.Max(0f, method == RangeMethod.MinMax ? Max : High);
        if (!(hi > lo) || !float.IsFinite(hi - lo)) return (1f, 0);
        float scale = (hi - lo) / 255f;
        return (scale, (byte)Math.Clamp(MathF.Round(-lo / scale, MidpointRounding.ToEven), 0, 255));
    }

    /// <summary>Builds the range from the collected values of one tensor.</summary>
    public sealed class Collector
    {
        private const int SamplesPerRun = 1 << 16;
        private readonly List<float> _sample = [];
        private float _min = float.PositiveInfinity, _max = float.NegativeInfinity;

        public void Add(ReadOnlySpan<double> values)
        {
            int stride = Math.Max(1, values.Length / SamplesPerRun);
            for (int i = 0; i < values.Length; i++)
            {
                float v = (float)values[i];
                if (!float.IsFinite(v)) continue;
                _min = MathF.Min(_min, v);
                _max = MathF.Max(_max, v);
                if (i % stride == 0) _sample.Add(v);
            }
        }

        public ActivationRange? Result()
        {
            if (_sample.Count == 0) return null;
            _sample.Sort();
            float At(double percent) => _sample[(int)Math.Clamp(Math.Round(percent / 100 * (_sample.Count - 1)), 0, _sample.Count - 1)];
            return new ActivationRange(_min, _max, At(100 - Percentile), At(Percentile));
        }
    }
}
