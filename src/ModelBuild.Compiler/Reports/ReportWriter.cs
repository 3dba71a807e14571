using System.Text.Json;
using ModelBuild.Compiler.Caching;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;

namespace ModelBuild.Compiler.Reports;

/// <summary>Writes <c>{Class}.report.json</c>: every variant's report, plus whether it came from the cache and the thresholds applied.</summary>
internal static class ReportWriter
{
    public const string Schema = "modelbuild-report/1";

    private sealed record ModelReport(string Schema, string Model, string ClassName, long OriginalSize, string Verify, IReadOnlyList<VariantEntry> Variants);

    private sealed record VariantEntry(VariantReport Variant, bool FromCache, double MinCosine, double? MaxAbsError);

    private static readonly JsonSerializerOptions Options = CompileCache.JsonOptions;

    public static byte[] Write(CompilationContext context)
    {
        CompileSettings settings = context.Settings;
        var report = new ModelReport(
            Schema,
            Path.GetFileName(context.Job.Model),
            context.Job.ClassName,
            context.OriginalSize,
            settings.Verify.ToString().ToLowerInvariant(),
            context.Variants
                .Select(v => new VariantEntry(v.Report!, v.FromCache, settings.MinCosine ?? v.Plan.DefaultMinCosine, settings.MaxAbsError))
                .ToList());
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(report, Options);
        return [.. json, (byte)'\n'];
    }
}
