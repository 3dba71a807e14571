using System.Globalization;
using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// The exact float rewrites around Convs that every int8 CPU variant of a conv net gets, with or without static int8
/// Convs: ONNX Runtime's basic level (BatchNormalization and the like folded into Convs), then the affine Mul/Add it
/// leaves (<see cref="ConvAffineFolding"/>, <see cref="ScalarAffineAsConv"/>) and hard-swish spelled with four ops
/// (<see cref="HardSwishFusion"/>). On PP-OCRv4 rec they alone take x64 int8 from 0.98x to about 0.72x fp32. fp32
/// cpu/x64 variants get them too (<see cref="Passes.QuantizePass"/>).
/// </summary>
internal sealed record ConvFloatRewrites(int Folded, int Affines, int HardSwishes)
{
    /// <summary>Rewrites <paramref name="model"/> in place; <paramref name="work"/> is where ONNX Runtime may write.</summary>
    public static ConvFloatRewrites Apply(ModelProto model, string work)
    {
        Directory.CreateDirectory(work);
        model.ReplaceWith(ModelProto.Parser.ParseFrom(OrtGraphOptimizer.Optimize(OnnxModelWriter.Serialize(model), work, OptimizationLevel.Basic)));
        int folded = ConvAffineFolding.Apply(model);
        return new ConvFloatRewrites(folded, ScalarAffineAsConv.Apply(model), HardSwishFusion.Apply(model));
    }

    /// <summary>
    /// The rewrites on a copy of <paramref name="model"/>, which replaces it only when the copy's lowest output cosine
    /// against the original (<paramref name="originalPath"/>) on <paramref name="samples"/> (made only then) reaches
    /// <paramref name="target"/>: exact in arithmetic, not in rounding, and on noise a deep net can turn one ulp into
    /// 1e-4 of cosine (PP-OCRv4 det on generated inputs: 0.99984). Returns what was rewritten (null when nothing was)
    /// and, when the copy was not taken, why.
    /// </summary>
    public static (ConvFloatRewrites? Rewrites, string? WhyNot) ApplyIfClose(ModelProto model, string work, string originalPath,
        Func<IReadOnlyList<SampleSet>> samples, double target, VerificationBudget budget)
    {
        ModelProto candidate = model.Clone();
        ConvFloatRewrites rewrites = Apply(candidate, work);
        if (!rewrites.Changed) return (null, null);
        string candidatePath = Path.Combine(work, "rewritten.onnx");
        OnnxModelWriter.WriteFile(candidate, candidatePath);
        using var probe = new AccuracyProbe(originalPath, samples(), budget);
        double cosine = probe.MinCosine(candidatePath);
        if (cosine < target)
        {
            return (rewrites, $"cosine {cosine.ToString("0.00000", CultureInfo.InvariantCulture)} on the verification inputs, below {target.ToString("0.000000", CultureInfo.InvariantCulture)}");
        }
        model.ReplaceWith(candidate);
        return (rewrites, null);
    }

    /// <summary>"; 80 Mul/Add folded into Convs, …" for a note, or empty when nothing changed.</summary>
    public string Note => Changed ? "; " + Counts : "";

    public bool Changed => Folded + Affines + HardSwishes > 0;

    /// <summary>"80 Mul/Add folded into Convs, 26 before padded Convs as depthwise 1×1 Convs, 28 hard-swishes as HardSigmoid · x".</summary>
    public string Counts =>
        $"{Folded.ToString(CultureInfo.InvariantCulture)} Mul/Add folded into Convs, " +
        (Affines == 0 ? "" : $"{Affines.ToString(CultureInfo.InvariantCulture)} before padded Convs as depthwise 1×1 Convs, ") +
        $"{HardSwishes.ToString(CultureInfo.InvariantCulture)} hard-swishes as HardSigmoid · x";
}
