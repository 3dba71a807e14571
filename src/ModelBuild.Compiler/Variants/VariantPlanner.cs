using ModelBuild.Compiler.Ort;
using ModelBuild.Shared;

namespace ModelBuild.Compiler.Variants;

/// <summary>
/// Decides each target's form. fp16 computes in fp16 on cuda and arm64 (ONNX Runtime has ARM64 fp16 kernels; where
/// one is missing it casts around that op) and is storage only elsewhere. int8 on x64 is 7-bit signed weights: the
/// u8×s8 products cannot saturate on AVX2 without VNNI, and CPUs with VNNI or AMX run them with their fast s8 kernels
/// (transformer 0.32x fp32 there, where uint8 weights gain nothing: ONNX Runtime has no VNNI u8×u8 kernel; cosine
/// 0.99979 against 0.99990 for full range, docs/compilation.md). One file serves both kinds of x64, so Load() needs no
/// CPU check. The portable cpu variant must be right on every CPU, so it is the same; arm64 and mobile use full-range
/// signed int8.
/// CUDA has no int8 form in ONNX Runtime (DynamicQuantizeMatMul is CPU-only), and fp16 compute measured no faster than fp32
/// on a GPU (NVIDIA H200, ONNX Runtime 1.32.0 CUDA provider, PP-OCRv4 rec 0.99x and det 1.14x fp32 latency with no Memcpy
/// node left, docs/compilation.md), so int8 becomes fp32 there; CudaQuantize="fp16" asks for fp16. cuda and mobile are optimized at most at
/// the basic level: extended fusions made with the CPU provider produce contrib ops that the CUDA, NNAPI and
/// CoreML providers may not run. An fp16-compute graph is not optimized offline at all: ONNX Runtime's CPU provider
/// would bake in the casts it adds around ops that have no CPU fp16 kernel, undoing the fp16 graph on the GPU.
/// </summary>
internal static class VariantPlanner
{
    public static IReadOnlyList<VariantPlan> Plan(CompileSettings settings)
    {
        List<VariantPlan> plans = settings.Targets.Select(target => Plan(target, settings.QuantizeFor(target), settings.Optimize)).ToList();
        if (ShippingRule.NeedsCpuFallback(settings.Targets.Select(t => t.Name()), settings.CpuFallback))
        {
            plans.Insert(0, Plan(Target.Cpu, settings.Quantize, settings.Optimize) with { Fallback = true });
        }
        return plans;
    }

    private static VariantPlan Plan(Target target, QuantizeMode requested, OptimizationLevel optimize)
    {
        QuantizeMode applied = requested;
        string? substitution = null;
        if (target == Target.Cuda && requested == QuantizeMode.Int8)
        {
            applied = QuantizeMode.None;
            substitution = "int8 is not a CUDA form (ONNX Runtime's dynamic int8 kernels are CPU-only), and fp16 compute measured no faster than fp32 on a GPU, so the cuda variant is fp32. Set CudaQuantize=\"none\" to say so, or CudaQuantize=\"fp16\" for half the size.";
        }
        VariantForm form = (applied, target) switch
        {
            (QuantizeMode.None, _) => VariantForm.Fp32,
            (QuantizeMode.Int8, Target.Arm64 or Target.Mobile) => VariantForm.Int8,
            (QuantizeMode.Int8, _) => VariantForm.Int8Reduced,
            (QuantizeMode.Fp16, Target.Cuda or Target.Arm64) => VariantForm.Fp16Compute,
            (QuantizeMode.Fp16, _) => VariantForm.Fp16Weights,
            (QuantizeMode.Int4, _) => VariantForm.Int4,
            _ => throw new ArgumentOutOfRangeException(nameof(requested)),
        };
        OptimizationLevel level = form == VariantForm.Fp16Compute ? OptimizationLevel.None
            : target is Target.Cuda or Target.Mobile && optimize == OptimizationLevel.Extended ? OptimizationLevel.Basic
            : optimize;
        return new VariantPlan(target, requested, applied, form, level, OrtFormat: target.Info().IsMobile, target.Info().ExecutionProvider, substitution);
    }
}
