using ModelBuild.Compiler.Pipeline;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Passes;

/// <summary>Reads the model with the safe reader (limits, clear errors) and checks its external data references.</summary>
internal sealed class LoadPass : IModelPass
{
    public string Name => "load";

    public bool RunsForSignatureOnly => true;

    public void Run(CompilationContext context)
    {
        context.Model = OnnxModelReader.ReadFile(context.Job.Model);
        context.ExternalData = OnnxExternalData.Enumerate(context.Model, context.ModelDirectory, context.Job.Model);
    }
}
