namespace ModelBuild.Compiler.Reports;

/// <summary>
/// What the report says about one variant. Stored in the compile cache with the asset, so a cache hit reports what
/// the compilation that made the asset measured. MobileProviders (mobile variants only): the nodes NNAPI and Core ML
/// take according to ONNX Runtime's operator tables; MobileShapes, their input shapes. FloatRewrites (fp32 cpu/x64
/// variants of conv nets): the exact float rewrites around Convs the asset got, as counts.
/// </summary>
internal sealed record VariantReport(
    string Target,
    string Quantize,
    string AppliedQuantize,
    string Form,
    string Optimize,
    string Format,
    string ExecutionProvider,
    string File,
    string Sha256,
    long Size,
    long OriginalSize,
    double SizeRatio,
    int QuantizedNodes,
    int KeptNodes,
    IReadOnlyList<string> KeptNotes,
    VerificationReport Verification,
    double CompileMilliseconds,
    string OnnxRuntimeVersion,
    string CompilerVersion,
    IReadOnlyList<Ort.ProviderSupportReport>? MobileProviders = null,
    MobileShapesReport? MobileShapes = null,
    string? FloatRewrites = null);

/// <summary>
/// A mobile variant's input shapes: Fixed, the shapes MobileShapes gave (by input name); Dynamic, the inputs that keep an
/// open dimension, whose nodes NNAPI and Core ML leave to the CPU (warning MB5661).
/// </summary>
internal sealed record MobileShapesReport(IReadOnlyDictionary<string, long[]> Fixed, IReadOnlyList<string> Dynamic);

/// <summary>
/// A variant's accuracy and speed against the original. SkippedReason says why there are no metrics (Verify="off",
/// an input type samples cannot be made for, …); SampleSource is "generated (seed 0)" or the SampleInputs folder's
/// name; latencies are medians with one intra-op thread and spinning off. Method says when accuracy was measured on
/// a twin of the asset rather than the asset itself (full-range int8: see ExactInt8Twin). NotCompared lists outputs
/// left out of the comparison with why ("y: random (depends on Bernoulli)"). CpuFeatures: the build machine's, which
/// the latencies are of (<see cref="Ort.CpuFeatures"/>: int8 kernels differ with VNNI and AMX).
/// </summary>
internal sealed record VerificationReport(
    string? SkippedReason,
    int Samples,
    string SampleSource,
    IReadOnlyList<OutputReport> Outputs,
    double? MedianMilliseconds,
    double? OriginalMedianMilliseconds,
    double? LatencyRatio,
    int LatencyRuns,
    string? Method = null,
    IReadOnlyList<string>? NotCompared = null,
    string? CpuFeatures = null);

/// <summary>One output's agreement; Top1Agreement is the share of samples whose arg-max agrees (class-score outputs only).</summary>
internal sealed record OutputReport(string Name, double Cosine, double MaxAbsError, double? Top1Agreement);
