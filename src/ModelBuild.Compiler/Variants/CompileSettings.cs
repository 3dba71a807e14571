using System.Globalization;
using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Onnx;
using ModelBuild.Shared;

namespace ModelBuild.Compiler.Variants;

internal enum QuantizeMode { None, Int8, Fp16, Int4 }

internal enum VerifyMode { Error, Warn, Off }

/// <summary>
/// A job's compilation options, checked by the shared option schema (the same rules, codes and texts as the MSBuild
/// tasks, which checked them before; the command line did not), parsed and defaulted.
/// </summary>
internal sealed record CompileSettings(
    QuantizeMode Quantize,
    IReadOnlyList<Target> Targets,
    IReadOnlyDictionary<Target, QuantizeMode> TargetQuantize,
    OptimizationLevel Optimize,
    VerifyMode Verify,
    double? MinCosine,
    double? MaxAbsError,
    int VerifySamples,
    string? SampleInputs,
    bool CpuFallback = true,
    VerificationBudget? Budget = null,
    IReadOnlyDictionary<string, long[]>? SampleShapeInputs = null,
    IReadOnlyDictionary<string, long[]>? MobileShapeInputs = null)
{
    /// <summary>
    /// Whole shapes of generated sample inputs by input name (<c>SampleShapes="input=1,512;state=2,1,128"</c>), with the
    /// <see cref="MobileShapes"/> added when a mobile variant is compiled: it runs only those shapes, so every variant is
    /// verified on them.
    /// </summary>
    public IReadOnlyDictionary<string, long[]> SampleShapes
    {
        get
        {
            var shapes = new Dictionary<string, long[]>(SampleShapeInputs ?? new Dictionary<string, long[]>(), StringComparer.Ordinal);
            foreach (var fixedShape in FixedMobileShapes)
            {
                shapes[fixedShape.Key] = fixedShape.Value;
            }
            return shapes;
        }
    }

    /// <summary>The mobile variant's fixed input shapes (<c>MobileShapes="input=1,3,640,640"</c>), as given.</summary>
    public IReadOnlyDictionary<string, long[]> MobileShapes => MobileShapeInputs ?? new Dictionary<string, long[]>();

    /// <summary><see cref="MobileShapes"/> when a mobile variant is compiled; none otherwise.</summary>
    public IReadOnlyDictionary<string, long[]> FixedMobileShapes =>
        Targets.Contains(Target.Mobile) ? MobileShapes : new Dictionary<string, long[]>();

    /// <summary>The budget verification runs under (defaults when none was given).</summary>
    public VerificationBudget VerifyBudget => Budget ?? VerificationBudget.Default;

    public static readonly int DefaultVerifySamples = int.Parse(CompileOptions.VerifySamples.Default, CultureInfo.InvariantCulture);

    public static CompileSettings Parse(CompileJob job)
    {
        Dictionary<string, string> options = CompileOptions.All.ToDictionary(o => o.Name, o => Normalize(o, job.Option(o.Name)));
        var overrides = new Dictionary<Target, QuantizeMode>();
        foreach (string pair in Split(job.TargetQuantize, ';'))
        {
            string[] parts = pair.Split('=', 2);
            if (parts.Length != 2 || BuildTargets.Find(parts[0]) is not { } target)
            {
                throw new SettingsException("MB4052", $"{CompileOptions.TargetOverridesField} entry '{pair}' is not of the form target=mode (e.g. cuda=fp16).");
            }
            overrides[Enum.Parse<Target>(target.Name, ignoreCase: true)] = Enum.Parse<QuantizeMode>(
                Normalize(CompileOptions.Quantize, parts[1], CompileOptions.Quantize.PerTargetName(target.Name)), ignoreCase: true);
        }
        string fallback = options[CompileOptions.Fallback.Name];
        IReadOnlyDictionary<string, long[]> sampleShapes = ParseShapes(CompileOptions.SampleShapes, options[CompileOptions.SampleShapes.Name]);
        IReadOnlyDictionary<string, long[]> mobileShapes = ParseShapes(CompileOptions.MobileShapes, options[CompileOptions.MobileShapes.Name]);
        foreach (var mobile in mobileShapes)
        {
            if (sampleShapes.TryGetValue(mobile.Key, out long[]? sample) && !sample.SequenceEqual(mobile.Value))
            {
                throw new SettingsException("MB4056",
                    $"MobileShapes gives input {ModelText.Quote(mobile.Key)} the shape {string.Join(",", mobile.Value)} and SampleShapes {string.Join(",", sample)}, but the mobile " +
                    "variant runs only its fixed shape, so it is verified on it: leave the input out of SampleShapes or give it the same shape.");
            }
        }
        return new CompileSettings(
            Enum.Parse<QuantizeMode>(options[CompileOptions.Quantize.Name], ignoreCase: true),
            options[CompileOptions.Targets.Name].Split(';').Select(t => Enum.Parse<Target>(t, ignoreCase: true)).ToList(),
            overrides,
            Enum.Parse<OptimizationLevel>(options[CompileOptions.Optimize.Name], ignoreCase: true),
            Enum.Parse<VerifyMode>(options[CompileOptions.Verify.Name], ignoreCase: true),
            Number(options[CompileOptions.MinCosine.Name]),
            Number(options[CompileOptions.MaxAbsError.Name]),
            (int)Number(options[CompileOptions.VerifySamples.Name])!.Value,
            options[CompileOptions.SampleInputs.Name] is { Length: > 0 } samples ? samples : null,
            fallback == BuildTargets.Portable,
            new VerificationBudget(VerificationBudget.ParseTimeout(options[CompileOptions.VerifyTimeout.Name]),
                VerificationBudget.ParseMemoryLimit(options[CompileOptions.VerifyMemoryLimit.Name])),
            sampleShapes,
            mobileShapes);
    }

    /// <summary>The quantization asked for one target: its own override, else the model's.</summary>
    public QuantizeMode QuantizeFor(Target target) => TargetQuantize.TryGetValue(target, out QuantizeMode mode) ? mode : Quantize;

    private static string Normalize(CompileOption option, string? text, string? label = null) =>
        option.TryNormalize(text, out string value, out string error, label) ? value : throw new SettingsException(option.Code, error);

    private static double? Number(string text) => text.Length == 0 ? null : double.Parse(text, CultureInfo.InvariantCulture);

    /// <summary><c>input=1,512;state=2,1,128</c>: a shape per input name, each dimension a whole number ≥ 1 (SampleShapes, MobileShapes).</summary>
    internal static IReadOnlyDictionary<string, long[]> ParseShapes(CompileOption option, string? text)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (string entry in Split(text, ';'))
        {
            int equals = entry.LastIndexOf('=');
            string name = equals > 0 ? entry[..equals].Trim() : "";
            string[] dims = equals > 0 ? entry[(equals + 1)..].Split(',', StringSplitOptions.TrimEntries) : [];
            long[] shape = [.. dims.Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v >= 1 ? v : -1)];
            if (name.Length == 0 || shape.Length == 0 || shape.Contains(-1) || !shapes.TryAdd(name, shape))
            {
                string example = option == CompileOptions.MobileShapes ? "input=1,3,640,640" : "input=1,512;state=2,1,128";
                throw new SettingsException(option.Code, $"{option.Name} entry '{entry}' is not of the form input=d1,d2,... with whole dimensions of at least 1, one entry per input (e.g. {option.Name}=\"{example}\").");
            }
        }
        return shapes;
    }

    private static IEnumerable<string> Split(string? text, char separator) =>
        (text ?? "").Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Bad compilation options (reachable from the command line; MSBuild checks them before with the same rules).</summary>
internal sealed class SettingsException(string code, string message) : ModelBuildException(code, message);
