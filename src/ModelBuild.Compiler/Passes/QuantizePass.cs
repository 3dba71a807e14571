using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Passes;

/// <summary>Rewrites each variant's weights into its form (int8, int4, fp16) and serializes it for the ONNX Runtime passes.</summary>
internal sealed class QuantizePass : IModelPass
{
    public string Name => "quantize";

    public bool RunsForSignatureOnly => false;

    public void Run(CompilationContext context)
    {
        foreach (CompiledVariant variant in context.Variants.Where(v => !v.FromCache))
        {
            variant.Timed(() => Quantize(context, variant));
        }
    }

    private static void Quantize(CompilationContext context, CompiledVariant variant)
    {
        // A variant optimized before quantization arrives as bytes (ONNX Runtime's output, parsed without the reader's limits: it is ours).
        ModelProto model = variant.Bytes.Length > 0 ? ModelProto.Parser.ParseFrom(variant.Bytes) : context.ModelWithData();
        variant.Quantization = variant.Plan.Form switch
        {
            VariantForm.Fp32 => null,
            VariantForm.Int8 => Int8DynamicQuantizer.Apply(model, Int8WeightRange.Full),
            VariantForm.Int8ReducedRange => Int8DynamicQuantizer.Apply(model, Int8WeightRange.Reduced),
            VariantForm.Fp16Weights => Fp16WeightConverter.Apply(model),
            VariantForm.Fp16Compute => Fp16GraphConverter.Apply(model),
            VariantForm.Int4 => Int4WeightQuantizer.Apply(model),
            _ => throw new InvalidOperationException($"Unknown form {variant.Plan.Form}."),
        };
        if (variant.Quantization is { QuantizedNodes: 0 })
        {
            context.Reporter.Warning("MB5002", context.Job.Model,
                $"Target {variant.Plan.Target.Name()}: Quantize=\"{variant.Plan.Applied.Name()}\" found no weights to convert " +
                $"({string.Join("; ", variant.Quantization.KeptReasons.Take(3))}); the variant keeps the original precision.");
        }
        variant.Bytes = OnnxModelWriter.Serialize(model);
    }
}
