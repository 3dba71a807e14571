using System.Security.Cryptography;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Reports;
using ModelBuild.Compiler.Verification;

namespace ModelBuild.Compiler.Variants;

/// <summary>One variant as it moves through the passes: planned, compiled (or taken from the cache), verified, emitted.</summary>
internal sealed class CompiledVariant(VariantPlan plan, string fileName)
{
    public VariantPlan Plan { get; } = plan;

    /// <summary>The asset's file name, e.g. <c>net.onnx</c> or <c>net.ort</c>.</summary>
    public string FileName { get; } = fileName;

    /// <summary>The asset (set by the passes, or by the cache).</summary>
    public byte[] Bytes { get; set; } = [];

    /// <summary>ONNX Runtime reduced-build operator config (mobile only).</summary>
    public string? RequiredOperators { get; set; }

    public QuantizationResult? Quantization { get; set; }

    public VerificationResult? Verification { get; set; }

    /// <summary>Why the variant was not verified (Verify="off", an input ONNX Runtime cannot be fed, …).</summary>
    public string? VerificationSkipped { get; set; }

    public double? OriginalMedianMilliseconds { get; set; }

    public double CompileMilliseconds { get; set; }

    /// <summary>Set when the cache supplied the variant: its report, as stored.</summary>
    public VariantReport? CachedReport { get; set; }

    /// <summary>The report of this variant: the cached one, or the one the verify pass wrote.</summary>
    public VariantReport? Report
    {
        get => _report ?? CachedReport;
        set => _report = value;
    }

    private VariantReport? _report;

    public bool FromCache => CachedReport is not null;

    /// <summary>The variant's compile cache entry folder (null without a cache).</summary>
    public string? CacheEntry { get; set; }

    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Bytes));

    public string RequiredOperatorsFileName => Path.GetFileNameWithoutExtension(FileName) + ".required_operators.config";

    /// <summary>Runs one pass's work on this variant, adding its time to <see cref="CompileMilliseconds"/>.</summary>
    public void Timed(Action work)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        work();
        CompileMilliseconds += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
