using System.Globalization;
using ModelBuild.Compiler.Variants;

namespace ModelBuild.Compiler.Budgets;

/// <summary>
/// What verification may spend on one model: <see cref="Timeout"/> for all the runs of each model it runs (the
/// original, then each variant), and <see cref="MemoryLimitBytes"/> for the compiler's working set and for any one
/// tensor the static plan can size. Defaults fit a 2-core / 24 GB CI agent running several builds.
/// </summary>
internal sealed record VerificationBudget(TimeSpan Timeout, long MemoryLimitBytes)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    public const long DefaultMemoryLimitBytes = 4L << 30;

    public static VerificationBudget Default { get; } = new(DefaultTimeout, DefaultMemoryLimitBytes);

    /// <summary>Seconds (<c>120</c>, <c>0.5</c>); empty = the default.</summary>
    public static TimeSpan ParseTimeout(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultTimeout;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds <= 86_400
            ? TimeSpan.FromSeconds(seconds)
            : throw new SettingsException($"VerifyTimeout '{text}' is not a number of seconds between 0 and 86400.");
    }

    /// <summary>Bytes, or a number with a binary unit: <c>4GB</c>, <c>512MB</c>, <c>64KB</c>; empty = the default.</summary>
    public static long ParseMemoryLimit(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultMemoryLimitBytes;
        }
        return TryParseBytes(text, out long bytes) ? bytes
            : throw new SettingsException($"VerifyMemoryLimit '{text}' is not a size such as 4GB, 512MB or a number of bytes.");
    }

    /// <summary>A positive whole number of bytes, optionally with a KB/MB/GB suffix (binary units).</summary>
    public static bool TryParseBytes(string text, out long bytes)
    {
        string trimmed = text.Trim();
        (string unit, int shift) = trimmed.ToUpperInvariant() switch
        {
            var t when t.EndsWith("GB", StringComparison.Ordinal) => ("GB", 30),
            var t when t.EndsWith("MB", StringComparison.Ordinal) => ("MB", 20),
            var t when t.EndsWith("KB", StringComparison.Ordinal) => ("KB", 10),
            _ => ("", 0),
        };
        string number = trimmed[..(trimmed.Length - unit.Length)].Trim();
        bytes = 0;
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0 || value > long.MaxValue >> shift)
        {
            return false;
        }
        bytes = value << shift;
        return true;
    }

    /// <summary>For messages: <c>4 GB</c>, <c>100 MB</c>, or bytes.</summary>
    public static string Describe(long bytes) => bytes switch
    {
        _ when bytes >= 1L << 30 && bytes % (1L << 30) == 0 => $"{bytes >> 30} GB",
        _ when bytes >= 1L << 20 && bytes % (1L << 20) == 0 => $"{bytes >> 20} MB",
        _ => $"{bytes} bytes",
    };

    public string TimeoutText => Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
