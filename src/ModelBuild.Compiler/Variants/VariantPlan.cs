using ModelBuild.Compiler.Ort;

namespace ModelBuild.Compiler.Variants;

/// <summary>How a variant's weights and arithmetic are stored.</summary>
internal enum VariantForm
{
    /// <summary>The original precision, graph-optimized.</summary>
    Fp32,
    /// <summary>int8 weights over the full range [-127, 127] (ARM: no saturation in its int8 dot products).</summary>
    Int8,
    /// <summary>
    /// 7-bit int8 weights [-63, 63]: u8×s8 pairs cannot saturate the int16 sums of AVX2 without VNNI, so it runs right
    /// on every x64, and VNNI/AMX run it with the same fast s8 kernels as full range (uint8 weights would take ONNX
    /// Runtime's slow u8×u8 path there: docs/compilation.md).
    /// </summary>
    Int8Reduced,
    /// <summary>float16 storage, float32 arithmetic (half the size; CPUs compute most ops in fp32 anyway).</summary>
    Fp16Weights,
    /// <summary>The graph computes in float16 (GPUs); float inputs and outputs are kept.</summary>
    Fp16Compute,
    /// <summary>Weight-only 4-bit MatMulNBits, block 32: the smallest form.</summary>
    Int4,
}

/// <summary>One asset to compile for one target.</summary>
/// <param name="Target">The target it serves.</param>
/// <param name="Requested">The Quantize the project asked for this target.</param>
/// <param name="Applied">What the target gets (differs when the target has no such form).</param>
/// <param name="Form">How weights and arithmetic are stored.</param>
/// <param name="Optimize">ONNX Runtime offline optimization level baked in.</param>
/// <param name="OrtFormat">Saved as ORT format (.ort) rather than ONNX.</param>
/// <param name="ExecutionProvider"><c>cpu</c> or <c>cuda</c>: what the variant is made to run on.</param>
/// <param name="Substitution">Why Applied differs from Requested; reported as warning MB5001.</param>
/// <param name="Fallback">Not asked for in Targets: the portable cpu variant that ships with accelerator-only targets
/// (Fallback="cpu"), for machines where the accelerator is missing.</param>
internal sealed record VariantPlan(
    Target Target,
    QuantizeMode Requested,
    QuantizeMode Applied,
    VariantForm Form,
    OptimizationLevel Optimize,
    bool OrtFormat,
    string ExecutionProvider,
    string? Substitution,
    bool Fallback = false)
{
    public string FileName(string modelFileName) => Path.GetFileNameWithoutExtension(modelFileName) + (OrtFormat ? ".ort" : ".onnx");

    /// <summary>Default MinCosine: what each form keeps of the original's outputs on realistic inputs.</summary>
    public double DefaultMinCosine => Applied switch
    {
        QuantizeMode.Int8 or QuantizeMode.Int4 => 0.99,
        QuantizeMode.Fp16 => 0.999,
        _ => 0.99999,
    };

    /// <summary>
    /// fp16 storage is optimized before conversion: ONNX Runtime's constant folding would otherwise turn the
    /// Cast(fp16 weight) pairs straight back into fp32 weights. Other forms are quantized first, so the quantizers
    /// see plain MatMul/Gemm rather than fused contrib ops.
    /// </summary>
    public bool OptimizeBeforeQuantize => Form == VariantForm.Fp16Weights;

    /// <summary>Everything that decides the variant's bytes, in one stable line (part of the cache key).</summary>
    public string Identity => $"target={Target.Name()};form={Form};optimize={Optimize};ort={OrtFormat}";
}
