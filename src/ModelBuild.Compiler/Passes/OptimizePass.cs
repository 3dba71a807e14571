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
            if (context.IsLarge || variant.Folder is not null)
            {
                // ONNX Runtime reads the file (a large model's data too, or the quantize pass's variant) and writes its
                // output file: the model never passes through managed memory. Large models keep their weights external.
                string source = variant.Folder is null ? context.OnnxSource : variant.OnnxPath;
                string folder = variant.NewFolder();
                long? minExternalBytes = context.IsLarge ? context.Large.MinExternalTensorBytes : null;
                variant.Timed(() => OrtGraphOptimizer.OptimizeFile(source, Path.Combine(folder, variant.OnnxFileName), variant.Plan.Optimize, minExternalBytes));
                variant.Commit(folder);
                continue;
            }
            byte[] model = OnnxModelWriter.Serialize(context.ModelWithData());
            variant.Timed(() => variant.WriteFile(variant.OnnxFileName, OrtGraphOptimizer.Optimize(model, context.ModelDirectory, variant.Plan.Optimize)));
        }
    }
}
