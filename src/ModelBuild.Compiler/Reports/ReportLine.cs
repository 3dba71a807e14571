using System.Globalization;
using ModelBuild.Compiler.Variants;

namespace ModelBuild.Compiler.Reports;

/// <summary>
/// The build log's line per variant, e.g.
/// <c>net.onnx -> arm64 int8: 170.1 MB -> 42.8 MB (0.25x), cosine 0.99990, 36.0 ms vs 113.5 ms (0.32x)</c>.
/// </summary>
internal static class ReportLine
{
    public static string Format(string modelFileName, CompiledVariant variant)
    {
        VariantReport report = variant.Report!;
        VerificationReport verification = report.Verification;
        var line = new System.Text.StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"{modelFileName} -> {report.Target} {report.AppliedQuantize}");
        line.Append(variant.Plan.Fallback ? " (fallback for RIDs no CPU target serves): " : ": ");
        line.Append(CultureInfo.InvariantCulture, $"{Size(report.OriginalSize)} -> {Size(report.Size)} ({report.SizeRatio:0.00}x)");
        if (verification.Outputs.Count > 0)
        {
            double cosine = verification.Outputs.Min(o => o.Cosine);
            line.Append(CultureInfo.InvariantCulture, $", cosine {cosine:0.00000}");
        }
        if (verification.MedianMilliseconds is { } variantMs && verification.OriginalMedianMilliseconds is { } originalMs)
        {
            line.Append(CultureInfo.InvariantCulture, $", {variantMs:0.0} ms vs {originalMs:0.0} ms ({verification.LatencyRatio:0.00}x)");
        }
        if (verification.SkippedReason is { } skipped)
        {
            line.Append(CultureInfo.InvariantCulture, $", not verified ({skipped})");
        }
        if (variant.FromCache)
        {
            line.Append(" [cached]");
        }
        return line.ToString();
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MB"),
    };
}
