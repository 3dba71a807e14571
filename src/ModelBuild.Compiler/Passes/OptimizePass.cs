using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;

namespace ModelBuild.Compiler.Passes;

/// <summary>ONNX Runtime's offline graph optimization, at the level each variant's plan allows (never layout).</summary>
internal sealed class OptimizePass : IModelPass
{
    public string Name => "optimize";

    public bool RunsForSignatureOnly => false;

    public void Run(CompilationContext context)
    {
        foreach (CompiledVariant variant in context.Variants.Where(v => !v.FromCache && v.Plan.Optimize != OptimizationLevel.None))
        {
            variant.Timed(() => variant.Bytes = OrtGraphOptimizer.Optimize(variant.Bytes, context.ModelDirectory, variant.Plan.Optimize));
        }
    }
}
