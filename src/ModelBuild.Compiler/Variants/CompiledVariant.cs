using System.Security.Cryptography;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Reports;
using ModelBuild.Compiler.Verification;

namespace ModelBuild.Compiler.Variants;

/// <summary>
/// One variant as it moves through the passes: planned, compiled (or taken from the cache), verified, emitted. Its
/// asset lives as files in a private folder: <see cref="FileName"/>, plus <c>{FileName}.data</c> when weights are
/// external (large models). A pass that rewrites the asset writes a fresh folder and <see cref="Commit"/>s it, so it
/// can read the old files while it writes the new ones.
/// </summary>
/// <param name="plan">What to compile.</param>
/// <param name="fileName">The asset's file name.</param>
/// <param name="folderRoot">Prefix of the variant's private folders (not created until a pass writes one).</param>
internal sealed class CompiledVariant(VariantPlan plan, string fileName, string folderRoot)
{
    private int _generation;

    public VariantPlan Plan { get; } = plan;

    /// <summary>The asset's file name, e.g. <c>net.onnx</c> or <c>net.ort</c>.</summary>
    public string FileName { get; } = fileName;

    /// <summary>The folder holding the variant's current files; null until a pass (or the cache) wrote them.</summary>
    public string? Folder { get; private set; }

    /// <summary>The ONNX form's file name: the asset's, or the model a mobile variant is converted from.</summary>
    public string OnnxFileName => Path.ChangeExtension(FileName, ".onnx");

    /// <summary>The ONNX model the passes work on (before conversion to ORT format).</summary>
    public string OnnxPath => Path.Combine(Folder!, OnnxFileName);

    public string AssetPath => Path.Combine(Folder!, FileName);

    public string DataFileName => FileName + ".data";

    /// <summary>Every file of the asset, the model first (what is emitted and cached).</summary>
    public IReadOnlyList<string> Files => File.Exists(Path.Combine(Folder!, DataFileName)) ? [FileName, DataFileName] : [FileName];

    /// <summary>ONNX Runtime reduced-build operator config (mobile only).</summary>
    public string? RequiredOperators { get; set; }

    /// <summary>Mobile variants: the nodes NNAPI and Core ML take, per ONNX Runtime's tables (set by the convert pass).</summary>
    public IReadOnlyList<Ort.ProviderSupportReport>? ProviderSupport { get; set; }

    /// <summary>Mobile variants: the inputs MobileShapes fixed and those left dynamic (set by the mobile shapes pass).</summary>
    public MobileShapesReport? MobileShapes { get; set; }

    public QuantizationResult? Quantization { get; set; }

    /// <summary>fp32 cpu/x64 variants of conv nets: the exact float rewrites applied, as counts (set by the quantize pass).</summary>
    public string? FloatRewrites { get; set; }

    public VerificationResult? Verification { get; set; }

    /// <summary>Why the variant was not verified (Verify="off", an input ONNX Runtime cannot be fed, …).</summary>
    public string? VerificationSkipped { get; set; }

    /// <summary>A budget kept this lossy variant from being verified, and that fails the build (VerifyPass).</summary>
    public bool OverBudgetError { get; set; }

    /// <summary>The ONNX graph of an ORT-format asset, kept for verification (the .ort file holds the same graph).</summary>
    public byte[]? OnnxBeforeConversion { get; set; }

    /// <summary>Outputs left out of the comparison (random ones, optionals), with why (reported).</summary>
    public IReadOnlyDictionary<string, string>? NotCompared { get; set; }

    /// <summary>How accuracy was measured when not on the asset itself (reported).</summary>
    public string? VerificationMethod { get; set; }

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

    /// <summary>SHA-256 of the asset's main file (what the runtime's integrity check covers).</summary>
    public string Sha256
    {
        get
        {
            using FileStream stream = File.OpenRead(AssetPath);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
    }

    /// <summary>Bytes of all the asset's files.</summary>
    public long Size => Files.Sum(f => new FileInfo(Path.Combine(Folder!, f)).Length);

    public string RequiredOperatorsFileName => Path.GetFileNameWithoutExtension(FileName) + ".required_operators.config";

    /// <summary>A new empty folder for the next version of the asset.</summary>
    public string NewFolder()
    {
        string folder = $"{folderRoot}.{++_generation}";
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Makes <paramref name="folder"/> (from <see cref="NewFolder"/>) the asset's files; the previous ones go.</summary>
    public void Commit(string folder)
    {
        if (Folder is not null)
        {
            Directory.Delete(Folder, recursive: true);
        }
        Folder = folder;
    }

    /// <summary>Replaces the asset by one file, <paramref name="name"/>, holding <paramref name="bytes"/>.</summary>
    public void WriteFile(string name, byte[] bytes)
    {
        string folder = NewFolder();
        File.WriteAllBytes(Path.Combine(folder, name), bytes);
        Commit(folder);
    }

    /// <summary>Runs one pass's work on this variant, adding its time to <see cref="CompileMilliseconds"/>.</summary>
    public void Timed(Action work)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        work();
        CompileMilliseconds += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
