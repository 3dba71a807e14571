using System.Globalization;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Pipeline;

namespace ModelBuild.Compiler.Variants;

internal enum QuantizeMode { None, Int8, Fp16, Int4 }

internal enum VerifyMode { Error, Warn, Off }

/// <summary>A job's compilation options, parsed and defaulted (the MSBuild task checked them; the command line did not).</summary>
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
    IReadOnlyDictionary<string, long[]>? SampleShapeInputs = null)
{
    /// <summary>Whole sample shapes by input name (<c>SampleShapes="input=1,512;state=2,1,128"</c>).</summary>
    public IReadOnlyDictionary<string, long[]> SampleShapes => SampleShapeInputs ?? new Dictionary<string, long[]>();

    public const int DefaultVerifySamples = 8;

    public static CompileSettings Parse(CompileJob job)
    {
        QuantizeMode quantize = ParseQuantize(job.Quantize, "Quantize");
        List<Target> targets = Split(job.Targets, ';').Select(t => Parse<Target>(t, "Targets")).Distinct().Order().ToList();
        if (targets.Count == 0)
        {
            targets.Add(Target.Cpu);
        }
        var overrides = new Dictionary<Target, QuantizeMode>();
        foreach (string pair in Split(job.TargetQuantize, ';'))
        {
            string[] parts = pair.Split('=', 2);
            if (parts.Length != 2)
            {
                throw new SettingsException($"TargetQuantize entry '{pair}' is not of the form target=mode.");
            }
            overrides[Parse<Target>(parts[0], "TargetQuantize")] = ParseQuantize(parts[1], "TargetQuantize");
        }
        return new CompileSettings(
            quantize,
            targets,
            overrides,
            string.IsNullOrWhiteSpace(job.Optimize) ? OptimizationLevel.Extended : Parse<OptimizationLevel>(job.Optimize, "Optimize"),
            string.IsNullOrWhiteSpace(job.Verify) ? VerifyMode.Error : Parse<VerifyMode>(job.Verify, "Verify"),
            Number(job.MinCosine, "MinCosine"),
            Number(job.MaxAbsError, "MaxAbsError"),
            (int?)Number(job.VerifySamples, "VerifySamples") is int samples and > 0 ? samples : DefaultVerifySamples,
            string.IsNullOrWhiteSpace(job.SampleInputs) ? null : job.SampleInputs,
            ParseFallback(job.Fallback),
            ParseSampleShapes(job.SampleShapes));
    }

    /// <summary>The quantization asked for one target: its own override, else the model's.</summary>
    public QuantizeMode QuantizeFor(Target target) => TargetQuantize.TryGetValue(target, out QuantizeMode mode) ? mode : Quantize;

    private static QuantizeMode ParseQuantize(string? text, string name) =>
        string.IsNullOrWhiteSpace(text) ? QuantizeMode.None : Parse<QuantizeMode>(text, name);

    /// <summary><c>input=1,512;state=2,1,128</c>: a shape per input name, each dimension a whole number ≥ 1.</summary>
    internal static IReadOnlyDictionary<string, long[]> ParseSampleShapes(string? text)
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
                throw new SettingsException($"SampleShapes entry '{entry}' is not of the form input=d1,d2,... with whole dimensions of at least 1, one entry per input (e.g. SampleShapes=\"input=1,512;state=2,1,128\").");
            }
        }
        return shapes;
    }

    /// <summary>Fallback: <c>cpu</c> (the default) or <c>none</c>.</summary>
    private static bool ParseFallback(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "cpu" => true,
        "none" => false,
        _ => throw new SettingsException($"Fallback '{text}' is not supported. Use one of: cpu, none."),
    };

    private static T Parse<T>(string text, string name) where T : struct, Enum =>
        Enum.TryParse(text.Trim(), ignoreCase: true, out T value) && Enum.IsDefined(value) && !int.TryParse(text, out _)
            ? value
            : throw new SettingsException($"{name} '{text}' is not supported. Use one of: {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");

    private static double? Number(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value >= 0
            ? value
            : throw new SettingsException($"{name} '{text}' is not a non-negative number.");
    }

    private static IEnumerable<string> Split(string? text, char separator) =>
        (text ?? "").Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Bad compilation options (reachable from the command line; MSBuild checks them before).</summary>
internal sealed class SettingsException(string message) : Exception(message);
