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
internal sealed record CompileJob(
    string Model,
    string ClassName,
    string Namespace,
    string Access,
    string OutputDirectory,
    string SignatureFile,
    string AssetListFile,
    string AssetPathPrefix);
