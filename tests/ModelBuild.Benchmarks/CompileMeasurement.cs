namespace ModelBuild.Benchmarks;

/// <summary>
/// One compile of one variant, measured in a process of its own so the peak working set is the compile's alone.
/// Compile = read the fp32 model + transform + write; verify = load fp32 and variant in ONNX Runtime, run one
/// input through both and compare (what a build-time verification step has to do).
/// </summary>
internal sealed record CompileMeasurement(
    string Model,
    string Variant,
    double LoadSeconds,
    double TransformSeconds,
    double WriteSeconds,
    double VerifySeconds,
    long PeakWorkingSetCompileBytes,
    long PeakWorkingSetBytes,
    long AllocatedBytes,
    long OutputBytes,
    double Cosine,
    string Summary)
{
    public double CompileSeconds => LoadSeconds + TransformSeconds + WriteSeconds;
}
