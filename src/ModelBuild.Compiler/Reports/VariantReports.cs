using System.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;
using ModelBuild.Compiler.Verification;

namespace ModelBuild.Compiler.Reports;

/// <summary>Builds a freshly compiled variant's report from what the passes recorded.</summary>
internal static class VariantReports
{
    public static VariantReport Create(CompilationContext context, CompiledVariant variant)
    {
        Debug.Assert(!variant.FromCache);
        VariantPlan plan = variant.Plan;
        long size = variant.Size;
        VerificationResult? result = variant.Verification;
        double? ratio = result is not null && variant.OriginalMedianMilliseconds is > 0
            ? Math.Round(result.MedianMilliseconds / variant.OriginalMedianMilliseconds.Value, 4)
            : null;
        var verification = new VerificationReport(
            SkippedReason: result is null ? variant.VerificationSkipped ?? "not run" : null,
            Samples: result is null ? 0 : context.SampleCount,
            SampleSource: context.Settings.SampleInputs is { } folder ? Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) : $"generated (seed {Passes.VerifyPass.SampleSeed})",
            Outputs: result?.Outputs.Select(o => new OutputReport(o.Output, Round(o.Cosine), o.MaxAbsError, o.Top1Agreement)).ToList() ?? [],
            MedianMilliseconds: result is null ? null : Math.Round(result.MedianMilliseconds, 3),
            OriginalMedianMilliseconds: result is null ? null : Math.Round(variant.OriginalMedianMilliseconds ?? 0, 3),
            LatencyRatio: ratio,
            LatencyRuns: result is null ? 0 : Passes.VerifyPass.LatencyRuns,
            Method: variant.VerificationMethod,
            NotCompared: variant.NotCompared is { Count: > 0 } skipped ? [.. skipped.Select(n => $"{n.Key}: {n.Value}")] : null,
            CpuFeatures: result is null ? null : Ort.CpuFeatures.Seen());
        return new VariantReport(
            Target: plan.Target.Name(),
            Quantize: plan.Requested.Name(),
            AppliedQuantize: plan.Applied.Name(),
            Form: plan.Form.ToString(),
            Optimize: plan.Optimize.ToString().ToLowerInvariant(),
            Format: plan.OrtFormat ? "ort" : "onnx",
            ExecutionProvider: plan.ExecutionProvider,
            File: variant.FileName,
            Sha256: variant.Sha256,
            Size: size,
            OriginalSize: context.OriginalSize,
            SizeRatio: context.OriginalSize == 0 ? 0 : Math.Round((double)size / context.OriginalSize, 4),
            QuantizedNodes: variant.Quantization?.QuantizedNodes ?? 0,
            KeptNodes: variant.Quantization?.KeptNodes ?? 0,
            KeptNotes: variant.Quantization?.KeptReasons ?? [],
            Verification: verification,
            CompileMilliseconds: Math.Round(variant.CompileMilliseconds, 1),
            OnnxRuntimeVersion: ToolVersions.OnnxRuntime,
            CompilerVersion: ToolVersions.Compiler,
            MobileProviders: variant.ProviderSupport,
            MobileShapes: variant.MobileShapes,
            FloatRewrites: variant.FloatRewrites);
    }

    /// <summary>Cosines are reported to 7 decimals: enough for the 0.99999 threshold, stable across runs.</summary>
    private static double Round(double cosine) => double.IsFinite(cosine) ? Math.Round(cosine, 7) : cosine;
}
