using System.Globalization;
using ModelBuild.Compiler.Variants;
using ModelBuild.Shared;

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

    /// <summary>Seconds (<c>120</c>, <c>0.5</c>), as the option schema normalised them; empty = the default.</summary>
    public static TimeSpan ParseTimeout(string text) =>
        text.Length == 0 ? DefaultTimeout : TimeSpan.FromSeconds(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));

    /// <summary>Bytes or <c>4GB</c>/<c>512MB</c>/<c>64KB</c>, as the option schema normalised them; empty = the default.</summary>
    public static long ParseMemoryLimit(string text) =>
        text.Length == 0 ? DefaultMemoryLimitBytes
        : CompileOption.TryParseByteSize(text, out long bytes) ? bytes
        : throw new SettingsException(CompileOptions.VerifyMemoryLimit.Code, $"VerifyMemoryLimit '{text}' is not a size.");

    /// <summary>For messages: <c>4 GB</c>, <c>100 MB</c>, or bytes.</summary>
    public static string Describe(long bytes) => bytes switch
    {
        _ when bytes >= 1L << 30 && bytes % (1L << 30) == 0 => $"{bytes >> 30} GB",
        _ when bytes >= 1L << 20 && bytes % (1L << 20) == 0 => $"{bytes >> 20} MB",
        _ => $"{bytes} bytes",
    };

    public string TimeoutText => Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
