using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Benchmarks;

/// <summary>
/// The compiler's quantizers and fp16 converters (ModelBuild.Compiler.Quantization) as benchmark variants; a new
/// transform is one more entry here.
/// </summary>
internal static class QuantizedVariants
{
    public static IReadOnlyList<Variant> All { get; } =
    [
        new("int8", "MatMul/Gemm weights int8 per output column, full range [-127, 127], as com.microsoft DynamicQuantizeMatMul (activations quantized at run time; the arm64/mobile form); every int8 form also stores embedding tables as fp16",
            Wrap(model => Int8DynamicQuantizer.Apply(model, Int8WeightRange.Full))),
        // What cpu/x64 ship: 7-bit weights avoid u8×s8 saturation on AVX2 without VNNI and keep VNNI's s8 kernels.
        new("int8-reduced", "as int8, weights in the reduced range [-63, 63] (the cpu/x64 form: no u8×s8 saturation on AVX2 without VNNI); for a conv net, what cpu/x64 int8 builds ship without SampleInputs (Convs fp32, with the exact float rewrites around them)",
            Wrap(ReducedWithFloatRewrites)),
        // The earlier cpu/x64 form: uint8 weights with per-column zero points (u8×u8 kernels: no saturation, no VNNI).
        new("int8-unsigned", "as int8, weights uint8 with a zero point per output column (u8×u8 kernels)",
            Wrap(model => Int8DynamicQuantizer.Apply(model, Int8WeightRange.Unsigned))),
        // What cpu/x64 int8 builds make of a conv net: the Convs static int8 where accurate and faster on this machine.
        new("int8-static-conv", $"as int8-reduced, plus Convs static int8 (QDQ: uint8 activations calibrated on {BenchModel.CalibrationCount} inputs made like the measured ones but not them, per-channel 7-bit weights) where the build's search keeps them: cosine ≥ 0.995 and faster here; what cpu/x64 int8 builds ship when given SampleInputs",
            (proto, model) => Describe(StaticConv(proto, model))),
        new("int4", "MatMul/Gemm weights 4-bit, blocks of 32 along K with scale and zero point, as com.microsoft MatMulNBits (weight-only)",
            Wrap(model => Int4WeightQuantizer.Apply(model, blockSize: 32))),
        new("fp16-weights", "float weights stored as float16, Cast back to float at load (fp32 compute, half the file)",
            Wrap(model => Fp16WeightConverter.Apply(model))),
        // Meant for GPU targets; measured on CPU too, where ORT falls back to fp32 kernels with casts around them.
        new("fp16-graph", "float16 compute: values and weights float16, float inputs/outputs kept with Casts at the edges",
            Wrap(model => Fp16GraphConverter.Apply(model))),
    ];

    /// <summary>The x64 int8 pipeline of QuantizePass given SampleInputs: dynamic MatMuls, then static Convs calibrated on the benchmark model's calibration samples.</summary>
    private static QuantizationResult StaticConv(ModelProto model, BenchModel bench)
    {
        string work = Directory.CreateTempSubdirectory("modelbuild-bench-static-").FullName;
        try
        {
            string original = Path.Combine(work, "original.onnx");
            OnnxModelWriter.WriteFile(model, original);
            var samples = bench.CalibrationSamples();
            QuantizationResult matMuls = Int8DynamicQuantizer.Apply(model, Int8WeightRange.Reduced);
            return matMuls.Plus(StaticInt8ConvQuantizer.Apply(model, original, samples, minCosine: 0.99, qmax: 63, Path.Combine(work, "search"),
                ModelBuild.Compiler.Budgets.VerificationBudget.Default));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The x64 int8 pipeline of QuantizePass without SampleInputs: dynamic MatMuls, Convs fp32 with the exact float rewrites around them.</summary>
    private static QuantizationResult ReducedWithFloatRewrites(ModelProto model)
    {
        QuantizationResult matMuls = Int8DynamicQuantizer.Apply(model, Int8WeightRange.Reduced);
        if (ConvSite.Find(model).Count == 0) return matMuls;
        string work = Directory.CreateTempSubdirectory("modelbuild-bench-rewrites-").FullName;
        try
        {
            string note = ConvFloatRewrites.Apply(model, work).Note;
            return note.Length == 0 ? matMuls : matMuls.Plus(new QuantizationResult(0, 0, [$"Conv: kept fp32{note}"]));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Describe(QuantizationResult result)
    {
        string kept = result.KeptReasons.Count == 0 ? "" : $" ({PerformanceReport.NotesSummary(result.KeptReasons)})";
        return $"{result.QuantizedNodes} nodes rewritten, {result.KeptNodes} kept{kept}";
    }

    private static Func<ModelProto, BenchModel, string> Wrap(Func<ModelProto, QuantizationResult> apply) => (model, _) => Describe(apply(model));
}
