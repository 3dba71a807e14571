using ModelBuild.Compiler.Pipeline;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Reads the model with the safe reader (limits, clear errors, one open) and checks its external data references. The
/// model file is not opened again: later passes use the hash of the bytes read here.
/// </summary>
internal sealed class LoadPass : IModelPass
{
    public string Name => "load";

    public bool RunsForSignatureOnly => true;

    public void Run(CompilationContext context)
    {
        context.Model = OnnxModelReader.ReadFile(context.Job.Model, out string sha256);
        context.ModelSha256 = sha256;
        context.ExternalData = OnnxExternalData.Enumerate(context.Model, context.ModelDirectory, context.Job.Model);
    }
}
