using System.Runtime.CompilerServices;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Variants;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Passes;

/// <summary>Rewrites each variant's weights into its form (int8, int4, fp16) and writes it for the ONNX Runtime passes.</summary>
internal sealed class QuantizePass : IModelPass
{
    public string Name => "quantize";

    public bool RunsForSignatureOnly => false;

    public void Run(CompilationContext context)
    {
        foreach (CompiledVariant variant in context.Variants.Where(v => !v.FromCache))
        {
            variant.Timed(() =>
            {
                if (context.IsLarge)
                {
                    QuantizeLarge(context, variant);
                }
                else
                {
                    Quantize(context, variant);
                }
            });
        }
        // Every variant is a file now; the passes after this one read files, not the model's weights.
        context.ReleaseWeights();
    }

    private static void Quantize(CompilationContext context, CompiledVariant variant)
    {
        // A variant optimized before quantization arrives as a file (ONNX Runtime's output, parsed without the reader's limits: it is ours).
        ModelProto model = variant.Folder is not null ? ModelProto.Parser.ParseFrom(File.ReadAllBytes(variant.OnnxPath)) : context.ModelWithData();
        if (variant.Plan.Form == VariantForm.Fp32)
        {
            variant.FloatRewrites = Fp32FloatRewrites(context, variant, model);
        }
        variant.Quantization = Transform(context, variant, model, TensorSource.Inline);
        variant.WriteFile(variant.OnnxFileName, OnnxModelWriter.Serialize(model));
    }

    /// <summary>
    /// The model stays as small as its graph: external tensors are read one at a time when a transform needs them,
    /// untouched ones are copied file to file, and the variant is written with its own <c>.data</c> file.
    /// </summary>
    private static void QuantizeLarge(CompilationContext context, CompiledVariant variant)
    {
        if (variant.Plan.Form == VariantForm.Fp32 && variant.Folder is null && variant.Plan.Optimize != OptimizationLevel.None)
        {
            return; // the optimize pass reads the source model itself: no copy needed
        }
        ModelProto model;
        string directory;
        if (variant.Folder is null)
        {
            model = context.Model.Clone();
            directory = context.ModelDirectory;
        }
        else
        {
            using FileStream stream = File.OpenRead(variant.OnnxPath);
            model = ModelProto.Parser.ParseFrom(stream);
            directory = variant.Folder;
        }
        variant.Quantization = Transform(context, variant, model, TensorSource.External(model, directory));
        string folder = variant.NewFolder();
        OnnxExternalDataWriter.Write(model, directory, Path.Combine(folder, variant.OnnxFileName), context.Large.MinExternalTensorBytes);
        variant.Commit(folder);
    }

    private static QuantizationResult? Transform(CompilationContext context, CompiledVariant variant, ModelProto model, TensorSource tensors)
    {
        QuantizationResult? result = variant.Plan.Form switch
        {
            VariantForm.Fp32 => null,
            VariantForm.Int8 => Int8(context, variant, model, Int8WeightRange.Full, tensors),
            VariantForm.Int8Reduced => Int8(context, variant, model, Int8WeightRange.Reduced, tensors),
            VariantForm.Fp16Weights => Fp16WeightConverter.Apply(model, tensors),
            VariantForm.Fp16Compute => Fp16Compute(context, variant, model, tensors),
            VariantForm.Int4 => Int4WeightQuantizer.Apply(model, tensors: tensors),
            _ => throw new InvalidOperationException($"Unknown form {variant.Plan.Form}."),
        };
        if (result is { QuantizedNodes: 0 })
        {
            context.Reporter.Warning("MB5002", context.Job.Model,
                $"Target {variant.Plan.Target.Name()}: Quantize=\"{variant.Plan.Applied.Name()}\" found no weights to convert" +
                (result.KeptReasons.Count > 0 ? $" ({string.Join("; ", result.KeptReasons.Take(3))})" : " (no operator in the model has weights it converts)") +
                "; the variant keeps the original precision.");
        }
        return result;
    }

    /// <summary>
    /// The exact float rewrites around Convs (<see cref="ConvFloatRewrites"/>) for an fp32 variant of the x64 form
    /// (targets cpu and x64, where ONNX Runtime's blocked Conv layout runs and they were measured: PP-OCRv4 rec 0.73x
    /// fp32); arm64, cuda and mobile keep the graph as exported. Kept only when the verification inputs show them at
    /// least halfway from MinCosine to 1. Returns the report's line, or null when there was nothing to rewrite.
    /// </summary>
    private static string? Fp32FloatRewrites(CompilationContext context, CompiledVariant variant, ModelProto model)
    {
        if (variant.Plan.Target is not (Target.Cpu or Target.X64) || variant.Plan.Optimize == OptimizationLevel.None ||
            !model.Graph.Node.Any(n => n.OpType == "Conv" && GraphScope.IsDefaultDomain(n)))
        {
            return null;
        }
        if (context.Settings.MaxAbsError is not null)
        {
            return "not applied: MaxAbsError is set, and the rewrites change rounding";
        }
        double target = 1 - (1 - (context.Settings.MinCosine ?? variant.Plan.DefaultMinCosine)) / 2;
        try
        {
            var (rewrites, whyNot) = ConvFloatRewrites.ApplyIfClose(model, Path.Combine(context.WorkDirectory, "fp32-rewrites", variant.Plan.Target.Name()),
                context.OnnxSource, () => CalibrationSamples(context), target, context.Settings.VerifyBudget);
            return rewrites is null ? null : whyNot is null ? rewrites.Counts : $"not applied ({rewrites.Counts}): {whyNot}";
        }
        catch (Exception e) when (e is ModelToolException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            // An input ONNX Runtime cannot be fed, or inputs the model does not run on: verification reports it on its own.
            return $"not applied: they could not be checked against the original here ({e.Message})";
        }
    }

    /// <summary>MatMul/Gemm weights dynamic int8, then Convs static int8 where that is accurate and faster here.</summary>
    private static QuantizationResult Int8(CompilationContext context, CompiledVariant variant, ModelProto model, Int8WeightRange range, TensorSource tensors)
    {
        QuantizationResult matMuls = Int8DynamicQuantizer.Apply(model, range, tensors);
        int convs = ConvSite.Find(model).Count;
        if (convs == 0) return matMuls;
        string? whyNot = null;
        IReadOnlyList<SampleSet>? samples = null;
        if (context.IsLarge)
        {
            whyNot = "static int8 calibrates on the whole model in memory, which a model over the large-model limit is not";
        }
        else if (context.Settings.SampleInputs is null)
        {
            // Generated inputs say nothing about real activation ranges: the openWakeWord embedding model calibrated on
            // them (cosine 0.9994 there) measured 0.98995 on zero-mean audio-like inputs, whose negative values the
            // calibrated ranges clipped. Static int8 takes the user's data or nothing.
            whyNot = "static int8 needs calibration data that looks like real inputs: give SampleInputs";
        }
        else
        {
            try
            {
                samples = CalibrationSamples(context);
            }
            catch (ModelToolException e) when (e.Code == ToolErrorCodes.InputTypeUnsupported)
            {
                whyNot = $"no calibration inputs: {e.Message}";
            }
        }
        string work = Path.Combine(context.WorkDirectory, "conv-int8", variant.Plan.Target.Name());
        if (samples is null)
        {
            // The exact float rewrites around the Convs need no calibration (a large model is not held in memory). Only
            // for the x64/cpu form, where they were measured (ONNX Runtime's blocked layout is x64's): the mobile form
            // keeps the ops as exported, which NNAPI and Core ML take, instead of HardSigmoid.
            string rewritten = context.IsLarge || range != Int8WeightRange.Reduced ? "" : ConvFloatRewrites.Apply(model, work).Note;
            var kept = new KeptLog();
            for (int i = 0; i < convs; i++) kept.Counted($"Conv: {{n}} {{nodes}} kept fp32 ({whyNot}{rewritten})");
            return matMuls.Plus(kept.Result(0));
        }
        double minCosine = context.Settings.MinCosine ?? variant.Plan.DefaultMinCosine;
        byte[] before = OnnxModelWriter.Serialize(model);
        try
        {
            return matMuls.Plus(StaticInt8ConvQuantizer.Apply(model, context.OnnxSource, samples, minCosine, range == Int8WeightRange.Full ? 127 : 63, work,
                context.Settings.VerifyBudget));
        }
        catch (ModelToolException e) when (e.Code == ToolErrorCodes.VerificationRunFailed)
        {
            // Generated calibration inputs the model does not run on (an audio front-end shorter than its window): the
            // Convs stay fp32 as they were; verification searches larger inputs on its own and reports what it finds.
            model.ReplaceWith(ModelProto.Parser.ParseFrom(before));
            var kept = new KeptLog();
            for (int i = 0; i < convs; i++) kept.Counted($"Conv: {{n}} {{nodes}} kept fp32 (the calibration inputs do not run the model; give SampleInputs or SampleShapes: {e.Message})");
            return matMuls.Plus(kept.Result(0));
        }
    }

    /// <summary>Calibration samples and value ranges, measured once per model for all its fp16-compute variants (arm64, cuda).</summary>
    private static readonly ConditionalWeakTable<CompilationContext, Fp16Calibration?> Fp16Calibrations = [];

    /// <summary>
    /// fp16 compute, calibrated on the verification inputs, with the last layers kept fp32 where the outputs need it
    /// (<see cref="Fp16TailSearch"/>); the cuda form keeps ops without a CUDA fp16 kernel fp32 and stays fp32 altogether
    /// (MB5150) when too few heavy ops could be fp16 (<see cref="Fp16CudaPayoff"/>).
    /// </summary>
    private static QuantizationResult? Fp16Compute(CompilationContext context, CompiledVariant variant, ModelProto model, TensorSource tensors)
    {
        bool cuda = variant.Plan.Target == Target.Cuda;
        Fp16Calibration? calibration = Fp16Calibrations.GetValue(context, Calibrate);
        GraphProto? original = cuda ? model.Graph.Clone() : null;
        var options = new Fp16Options(cuda, calibration?.Ranges);
        QuantizationResult result;
        GraphProto beforeSearch = model.Graph.Clone();
        try
        {
            result = calibration is null
                ? Fp16GraphConverter.Apply(model, tensors, options)
                : Fp16TailSearch.Apply(model, tensors, options, calibration.Samples, context.Settings.MinCosine ?? variant.Plan.DefaultMinCosine,
                    context.Settings.VerifyBudget);
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            // A run over the verification budget (or one ONNX Runtime refuses): the plain fp16 graph, for verification to judge.
            model.Graph = beforeSearch;
            result = Fp16GraphConverter.Apply(model, tensors, options);
        }
        if (original is null || result.QuantizedNodes == 0 || Fp16CudaPayoff.WhyNot(model.Graph) is not { } why)
        {
            return result;
        }
        model.Graph = original;
        context.Reporter.Warning("MB5150", context.Job.Model, $"Target cuda: the variant stays fp32: {why}.");
        return null;
    }

    /// <summary>
    /// Largest |value| of each float value on the verification inputs; null for large models (the graph with every
    /// value as an output would not fit one protobuf message), inputs samples cannot be made for, or a model the CPU cannot run.
    /// </summary>
    private static Fp16Calibration? Calibrate(CompilationContext context)
    {
        if (context.IsLarge) return null;
        try
        {
            IReadOnlyList<SampleSet> samples = CalibrationSamples(context);
            return samples.Count == 0 ? null : new Fp16Calibration(samples, Fp16ValueRanges.Measure(context.ModelWithData(), samples, context.Settings.VerifyBudget));
        }
        catch (ModelToolException e) when (e.Code == ToolErrorCodes.InputTypeUnsupported)
        {
            return null; // verification reports it (MB5012); constants are still range-checked
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            return null; // verification reports it; constants are still range-checked
        }
    }

    private sealed record Fp16Calibration(IReadOnlyList<SampleSet> Samples, IReadOnlyDictionary<string, float> Ranges);

    /// <summary>The inputs verification uses (SampleInputs, else generated with SampleShapes), for calibration.</summary>
    private static IReadOnlyList<SampleSet> CalibrationSamples(CompilationContext context) =>
        context.Settings.SampleInputs is { } folder
            ? SampleInputLoader.Load(folder, context.Model)
            : SampleInputGenerator.Generate(context.Model, context.Settings.VerifySamples, VerifyPass.SampleSeed,
                SampleShapeOptions.Default with { Inputs = context.Settings.SampleShapes });
}
