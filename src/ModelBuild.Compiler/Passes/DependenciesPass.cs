using ModelBuild.Compiler.Pipeline;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Lists the external data files the model read, one full path per line, so the build's up-to-date check sees a
/// changed tensor file even when the .onnx file itself did not change.
/// </summary>
internal sealed class DependenciesPass : IModelPass
{
    public string Name => "dependencies";

    public bool RunsForSignatureOnly => false;

    public void Run(CompilationContext context)
    {
        if (context.Job.DependencyFile is not { } file)
        {
            return;
        }
        IEnumerable<string> paths = context.ExternalData.Select(d => d.FullPath).Distinct().Order(StringComparer.Ordinal);
        OutputFiles.WriteAtomically(file, string.Concat(paths.Select(p => p + "\n")));
    }
}
