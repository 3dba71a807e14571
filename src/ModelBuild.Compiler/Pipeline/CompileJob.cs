namespace ModelBuild.Compiler.Pipeline;

/// <summary>One model to compile, as resolved by the MSBuild targets (or the command line).</summary>
/// <param name="Model">Full path of the source .onnx file.</param>
/// <param name="ClassName">The generated class (also names the output folders).</param>
/// <param name="Namespace">The generated class's namespace.</param>
/// <param name="Access"><c>public</c> or <c>internal</c>.</param>
/// <param name="OutputDirectory">Folder that receives the model assets (emptied first).</param>
/// <param name="SignatureFile">The signature JSON the source generator reads.</param>
/// <param name="AssetListFile">Lists the emitted assets; written last, so it marks a complete compilation.</param>
/// <param name="AssetPathPrefix">Where the assets land under the app's output folder, e.g. <c>models/Net/</c>.</param>
/// <param name="ReportFile">Machine-readable compile report (variants, sizes, accuracy, latency); none when null.</param>
/// <param name="DependencyFile">Lists the files besides the model that the compilation read (external data), for the
/// build's up-to-date check; none when null.</param>
/// <param name="Quantize">Compilation options, from here to the end: the item metadata as ModelBuild.Tasks normalised it
/// (null or empty = the default); <see cref="Variants.CompileSettings"/> parses them.</param>
/// <param name="Targets">See <paramref name="Quantize"/>.</param>
/// <param name="TargetQuantize">Per-target overrides, <c>cuda=fp16;x64=int8</c>.</param>
/// <param name="Optimize">See <paramref name="Quantize"/>.</param>
/// <param name="Verify">See <paramref name="Quantize"/>.</param>
/// <param name="MinCosine">See <paramref name="Quantize"/>.</param>
/// <param name="MaxAbsError">See <paramref name="Quantize"/>.</param>
/// <param name="VerifySamples">See <paramref name="Quantize"/>.</param>
/// <param name="SampleInputs">Absolute folder of sample tensors.</param>
/// <param name="Fallback"><c>cpu</c> (default): a portable cpu variant is compiled too when every target needs an
/// accelerator on the machines it serves; <c>none</c>: never.</param>
/// <param name="VerifyTimeout">Seconds each model's verification runs may take (see <see cref="Budgets.VerificationBudget"/>).</param>
/// <param name="VerifyMemoryLimit">Memory verification may use: bytes or <c>4GB</c>/<c>512MB</c>.</param>
/// <param name="SampleShapes">Sample shapes by input name, <c>input=1,512;state=2,1,128</c>.</param>
/// <param name="MobileShapes">Fixed input shapes of the mobile variant by input name, <c>input=1,3,640,640</c>.</param>
/// <param name="ModelVersion">The <c>ModelVersion</c> item metadata: recorded in the signature, not a compile option.</param>
internal sealed record CompileJob(
    string Model,
    string ClassName,
    string Namespace,
    string Access,
    string OutputDirectory,
    string SignatureFile,
    string AssetListFile,
    string AssetPathPrefix,
    string? ReportFile = null,
    string? DependencyFile = null,
    string? Quantize = null,
    string? Targets = null,
    string? TargetQuantize = null,
    string? Optimize = null,
    string? Verify = null,
    string? MinCosine = null,
    string? MaxAbsError = null,
    string? VerifySamples = null,
    string? SampleInputs = null,
    string? Fallback = null,
    string? ModelVersion = null,
    string? VerifyTimeout = null,
    string? VerifyMemoryLimit = null,
    string? SampleShapes = null,
    string? MobileShapes = null)
{
    /// <summary>The value of the compilation option named <paramref name="name"/> (a field of this record, as the option schema names it).</summary>
    public string? Option(string name) =>
        (string?)(typeof(CompileJob).GetProperty(name) ?? throw new ArgumentException($"CompileJob has no field for option '{name}'.", nameof(name))).GetValue(this);
}
