using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Reports;
using ModelBuild.Compiler.Variants;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Runs every new variant against the original on the same inputs (ONNX Runtime, CPU), records accuracy and
/// latency in the variant's report, then checks every variant — cached ones too, since thresholds are not part of
/// the cache key — against MinCosine and MaxAbsError.
/// </summary>
internal sealed class VerifyPass : IModelPass
{
    /// <summary>Fixed so that reports compare across builds; one warm-up run comes on top.</summary>
    public const int LatencyRuns = 10;

    /// <summary>Generated samples are seeded, so every build of a model sees the same inputs.</summary>
    public const int SampleSeed = 0;

    public string Name => "verify";

    public bool RunsForSignatureOnly => false;

    public void Run(CompilationContext context)
    {
        List<CompiledVariant> fresh = context.Variants.Where(v => !v.FromCache).ToList();
        if (fresh.Count > 0)
        {
            Measure(context, fresh);
            if (fresh.Any(v => v.OverBudgetError))
            {
                throw new AlreadyReportedException();
            }
        }
        foreach (CompiledVariant variant in context.Variants)
        {
            variant.Report ??= VariantReports.Create(context, variant);
        }
        Check(context);
    }

    private static void Measure(CompilationContext context, List<CompiledVariant> variants)
    {
        if (context.Settings.Verify == VerifyMode.Off)
        {
            variants.ForEach(v => v.VerificationSkipped = "Verify=\"off\"");
            return;
        }
        VerificationBudget budget = context.Settings.VerifyBudget;
        ModelVerifier verifier;
        try
        {
            IReadOnlyDictionary<string, string> random = RandomOutputs.Find(context.Model.Graph)
                .ToDictionary(r => r.Key, r => $"random (depends on {r.Value})", StringComparer.Ordinal);
            if (context.Settings.SampleInputs is { } folder)
            {
                IReadOnlyList<SampleSet> samples = SampleInputLoader.Load(folder, context.Model);
                foreach (SampleSet set in samples)
                {
                    CheckMobileShapes(context, set);
                    TensorSizePlanner.Check(context.Model, set.Inputs.ToDictionary(t => t.Name, t => (t.Shape, (int)t.ElementType)), budget.MemoryLimitBytes);
                }
                verifier = new ModelVerifier(context.OnnxSource, samples, LatencyRuns, budget, random);
            }
            else
            {
                verifier = InputSearch.Run(context.OnnxSource, context.Model, context.Settings.VerifySamples, SampleSeed,
                    SampleShapeOptions.Default with { Inputs = context.Settings.SampleShapes }, LatencyRuns, random, budget);
            }
        }
        catch (ModelToolException e) when (e.Code == ToolErrorCodes.InputTypeUnsupported)
        {
            context.Reporter.Warning("MB5012", context.Job.Model, $"The variants were not verified: {e.Message}");
            variants.ForEach(v => v.VerificationSkipped = e.Message);
            return;
        }
        catch (ModelToolException e) when (BudgetCodes.IsBudget(e.Code))
        {
            OverBudget(context, variants, e);
            return;
        }
        catch (ModelToolException e) when (e.Code == ToolErrorCodes.Unverifiable)
        {
            Unverifiable(context, variants, e.Message);
            return;
        }
        using (verifier)
        {
            context.SampleCount = verifier.SampleCount;
            if (verifier.NotCompared.Count > 0)
            {
                context.Reporter.Info($"{context.Job.ClassName}: outputs not compared: " +
                    string.Join("; ", verifier.NotCompared.Select(n => $"{ModelText.Quote(n.Key)}: {n.Value}")));
            }
            string twins = WorkFolders.Create("twins");
            try
            {
                foreach (CompiledVariant variant in variants)
                {
                    variant.NotCompared = verifier.NotCompared;
                    try
                    {
                        Verify(context, verifier, variant, twins);
                    }
                    catch (ModelToolException e) when (BudgetCodes.IsBudget(e.Code))
                    {
                        OverBudget(context, [variant], e);
                    }
                }
            }
            finally
            {
                WorkFolders.Delete(twins);
            }
        }
    }

    /// <summary>The mobile variant runs only its MobileShapes: a sample of another shape could not verify it (MB5662).</summary>
    private static void CheckMobileShapes(CompilationContext context, SampleSet set)
    {
        foreach (var input in set.Inputs)
        {
            if (context.Settings.FixedMobileShapes.TryGetValue(input.Name, out long[]? fixedShape) && !input.Shape.SequenceEqual(fixedShape))
            {
                throw context.Fail("MB5662",
                    $"SampleInputs gives input {ModelText.Quote(input.Name)} the shape {string.Join(",", input.Shape)}, but MobileShapes fixes it at " +
                    $"{string.Join(",", fixedShape)} in the mobile variant, which runs only that shape. Give samples of that shape, or change MobileShapes.");
            }
        }
    }

    /// <summary>
    /// Variants a budget kept from being verified: a lossless one (original precision, only graph-optimized) ships
    /// unverified with a warning; a lossy one is an error unless Verify="warn".
    /// </summary>
    private static void OverBudget(CompilationContext context, IEnumerable<CompiledVariant> variants, ModelToolException e)
    {
        foreach (CompiledVariant variant in variants)
        {
            string name = $"{variant.Plan.Target.Name()} {variant.Plan.Applied.Name()}";
            variant.VerificationSkipped = e.Message;
            if (variant.Plan.Form == VariantForm.Fp32 || context.Settings.Verify == VerifyMode.Warn)
            {
                string kind = variant.Plan.Form == VariantForm.Fp32 ? "lossless " : "";
                context.Reporter.Warning(e.Code, context.Job.Model,
                    $"The {kind}variant {name} ships unverified: {e.Message} Raise VerifyTimeout or VerifyMemoryLimit to verify it.");
            }
            else
            {
                variant.OverBudgetError = true;
                context.Reporter.Error(e.Code, context.Job.Model,
                    $"The variant {name} could not be verified: {e.Message} Raise VerifyTimeout or VerifyMemoryLimit, or set Verify=\"warn\" to ship it unverified.");
            }
        }
    }

    /// <summary>
    /// No generated input runs the original model: what the build changes cannot be checked. A lossless variant (the
    /// original precision, only ONNX Runtime's own graph optimizations) ships with a warning; a lossy one (int8, int4,
    /// fp16) fails the build unless Verify="warn", since nothing checked its loss.
    /// </summary>
    private static void Unverifiable(CompilationContext context, List<CompiledVariant> variants, string why)
    {
        variants.ForEach(v => v.VerificationSkipped = "no sample input runs the original model");
        var lossy = variants.Where(v => v.Plan.Form != VariantForm.Fp32).ToList();
        string names = string.Join(", ", lossy.Select(v => $"{v.Plan.Target.Name()} {v.Plan.Applied.Name()}"));
        if (lossy.Count == 0 || context.Settings.Verify == VerifyMode.Warn)
        {
            string which = lossy.Count == 0 ? "The variants ship unverified" : $"The variants ship unverified, including the lossy {names}";
            context.Reporter.Warning(ToolErrorCodes.Unverifiable, context.Job.Model, $"{which}: {why}");
            return;
        }
        context.Reporter.Error(ToolErrorCodes.Unverifiable, context.Job.Model,
            $"The lossy variant(s) {names} cannot be verified: {why} Or set Verify=\"warn\" to ship them unchecked.");
        throw new AlreadyReportedException();
    }

    private static void Verify(CompilationContext context, ModelVerifier verifier, CompiledVariant variant, string twins)
    {
        try
        {
            // From the variant's own folder: ONNX Runtime finds its .data file beside it.
            OptimizationLevel? reference = ReferenceLevel(variant.Plan);
            variant.Verification = verifier.Verify(variant.AssetPath, reference);
            variant.OriginalMedianMilliseconds = verifier.OriginalMedianMilliseconds;
            if (reference is { } level)
            {
                variant.VerificationMethod = $"compared with the original run at ONNX Runtime's {level.ToString().ToLowerInvariant()} level, the graph " +
                    "this lossless .ort file holds: ONNX Runtime runs an .ort file as saved, without the load-time optimizations (NCHWc layout, " +
                    "fusions) that select other fp32 kernels for the original";
            }
            if (ExactTwin(context, variant, twins) is { } twin)
            {
                // Accuracy from the exact-arithmetic twin; latency stays the asset's own.
                variant.Verification = variant.Verification with { Outputs = verifier.Verify(twin).Outputs };
                variant.VerificationMethod = "full-range int8 measured with exact integer arithmetic (uint8 twin): this CPU's u8s8 kernels saturate, the target's do not";
            }
        }
        catch (ModelToolException e) when (variant.Plan.Form == VariantForm.Fp16Compute && e.Code == ToolErrorCodes.VerificationRunFailed)
        {
            // An fp16 graph may need kernels only the GPU provider has; the CPU cannot check it here.
            context.Reporter.Warning("MB5012", context.Job.Model,
                $"Target {variant.Plan.Target.Name()}: the fp16 variant could not run on this machine's CPU, so it was not verified: {e.Message}");
            variant.VerificationSkipped = "ONNX Runtime on the build machine's CPU cannot run it";
        }
    }

    /// <summary>
    /// The level to run the original at for a lossless ORT-format variant: the one baked into it. ONNX Runtime runs an .ort file
    /// as saved, while it optimizes the original .onnx at load (ALL: NCHWc layout and fusions), so the two run other fp32 kernels.
    /// Their rounding is not the variant's loss, yet a model can magnify it: PP-OCRv4's detector on a textless input has logits
    /// of -44 to -12, and ONNX Runtime's Sigmoid, accurate to 1.1e-7 in absolute terms, turns outputs of at most 4.8e-6 into
    /// noise, so the original at ALL measured cosine 0.99085 against itself at basic (docs/verification.md). Null (the
    /// default reference) for everything else: .onnx variants are optimized at load like the original, and lossy forms
    /// measure their loss against what the original runs as by default.
    /// </summary>
    internal static OptimizationLevel? ReferenceLevel(VariantPlan plan) =>
        plan.OrtFormat && plan.Form == VariantForm.Fp32 ? plan.Optimize : null;

    /// <summary>
    /// Full-range int8 (arm64, mobile) on an x64 build machine: the path of its exact twin (<see cref="ExactInt8Twin"/>),
    /// or null when the asset itself measures right (ARM hosts, other forms, large models whose weights are external).
    /// </summary>
    private static string? ExactTwin(CompilationContext context, CompiledVariant variant, string twins)
    {
        if (variant.Plan.Form != VariantForm.Int8
            || System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            return null;
        }
        byte[] onnx = variant.OnnxBeforeConversion ?? File.ReadAllBytes(variant.OnnxPath);
        ModelProto model = ModelProto.Parser.ParseFrom(onnx);
        // A large variant's weights live in its .data file: read each int8 weight when the twin needs it.
        Dictionary<TensorProto, ExternalDataReference> external = variant.Folder is { } folder
            ? OnnxExternalData.Enumerate(model, folder).ToDictionary(r => r.Tensor, r => r, (IEqualityComparer<TensorProto>)ReferenceEqualityComparer.Instance)
            : [];
        int rewritten = ExactInt8Twin.Rewrite(model, tensor =>
            external.TryGetValue(tensor, out ExternalDataReference? reference) ? OnnxExternalData.Read(reference) : tensor.RawData.ToByteArray());
        if (rewritten == 0)
        {
            return null;
        }
        string path = Path.Combine(twins, variant.Plan.Target.Name(), variant.OnnxFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        OnnxExternalDataWriter.Write(model, variant.Folder!, path, context.Large.MinExternalTensorBytes);
        return path;
    }

    private static void Check(CompilationContext context)
    {
        CompileSettings settings = context.Settings;
        if (settings.Verify == VerifyMode.Off)
        {
            return;
        }
        var failures = new List<string>();
        foreach (CompiledVariant variant in context.Variants)
        {
            double minCosine = settings.MinCosine ?? variant.Plan.DefaultMinCosine;
            string name = $"{variant.Plan.Target.Name()} {variant.Plan.Applied.Name()}";
            foreach (OutputReport output in variant.Report!.Verification.Outputs)
            {
                if (!(output.Cosine >= minCosine))
                {
                    failures.Add($"variant {name}, output {ModelText.Quote(output.Name)}: cosine similarity {output.Cosine:0.00000} is below MinCosine {minCosine}");
                }
                if (settings.MaxAbsError is { } maxAbs && !(output.MaxAbsError <= maxAbs))
                {
                    failures.Add($"variant {name}, output {ModelText.Quote(output.Name)}: max abs error {output.MaxAbsError:G4} is above MaxAbsError {maxAbs}");
                }
            }
        }
        string advice = "Loosen MinCosine/MaxAbsError, choose another Quantize for that target, or set Verify=\"warn\".";
        foreach (string failure in failures)
        {
            if (settings.Verify == VerifyMode.Warn)
            {
                context.Reporter.Warning("MB5010", context.Job.Model, $"Accuracy check failed for {failure}.");
            }
            else
            {
                context.Reporter.Error("MB5010", context.Job.Model, $"Accuracy check failed for {failure}. {advice}");
            }
        }
        if (failures.Count > 0 && settings.Verify == VerifyMode.Error)
        {
            throw new AlreadyReportedException();
        }
    }
}
