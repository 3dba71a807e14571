using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Passes;

/// <summary>ONNX Runtime's offline graph optimization, at the level each variant's plan allows (never layout).</summary>
/// <param name="beforeQuantize">Runs for the variants optimized before quantization (see <see cref="VariantPlan.OptimizeBeforeQuantize"/>), or for the rest.</param>
internal sealed class OptimizePass(bool beforeQuantize) : IModelPass
{
    public string Name => beforeQuantize ? "optimize (before quantize)" : "optimize";

    public bool RunsForSignatureOnly => false;

    public void Run(CompilationContext context)
    {
        foreach (CompiledVariant variant in context.Variants.Where(v =>
                     !v.FromCache && v.Plan.Optimize != OptimizationLevel.None && v.Plan.OptimizeBeforeQuantize == beforeQuantize))
        {
            if (variant.Bytes.Length == 0)
            {
                variant.Bytes = OnnxModelWriter.Serialize(context.ModelWithData());
            }
            variant.Timed(() => variant.Bytes = OrtGraphOptimizer.Optimize(variant.Bytes, context.ModelDirectory, variant.Plan.Optimize));
        }
    }
}
