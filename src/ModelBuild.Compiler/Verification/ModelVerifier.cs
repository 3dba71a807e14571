using Microsoft.ML.OnnxRuntime;
using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Ort;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// Checks compiled variants against the original model. The original runs once per sample set when this is created
/// (its outputs become the reference) and is timed; each <see cref="Verify"/> runs a variant on the same inputs.
/// Sessions are opened per model and closed right after (<see cref="VerificationSession"/>: CPU only, writes nothing).
/// </summary>
internal sealed class ModelVerifier : IDisposable
{
    private readonly IReadOnlyList<SampleSet> _samples;
    private readonly List<OrtValue[]> _values = [];
    private readonly string[] _outputNames;
    private readonly string _originalModelPath;
    private readonly CapturedOutput[][] _reference; // [sample][output], the original at ONNX Runtime's default level (ALL)
    private readonly Dictionary<OptimizationLevel, CapturedOutput[][]> _referenceAt = [];
    private readonly int _latencyRuns;
    private readonly VerificationBudget _budget;

    /// <param name="originalModelPath">The .onnx model the variants are compared with.</param>
    /// <param name="samples">Inputs (at least one set); latency is measured on the first.</param>
    /// <param name="latencyRuns">Timed runs per model after one warm-up run (at least 1).</param>
    /// <param name="budget">Time and memory each model's runs may take (default <see cref="VerificationBudget.Default"/>).</param>
    /// <param name="notCompared">Outputs left out of the comparison, with why (e.g. <see cref="RandomOutputs"/>).</param>
    /// <exception cref="ModelToolException">MB5602 when the samples do not fit the model; MB5603 when ORT fails;
    /// MB5610 when no output is left to compare; MB565x when the original exceeds the budget.</exception>
    public ModelVerifier(string originalModelPath, IReadOnlyList<SampleSet> samples, int latencyRuns, VerificationBudget? budget = null,
        IReadOnlyDictionary<string, string>? notCompared = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(originalModelPath);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfZero(samples.Count, nameof(samples));
        ArgumentOutOfRangeException.ThrowIfLessThan(latencyRuns, 1);
        _samples = samples;
        _originalModelPath = originalModelPath;
        _latencyRuns = latencyRuns;
        _budget = budget ?? VerificationBudget.Default;
        try
        {
            foreach (SampleSet set in samples)
            {
                var values = new OrtValue[set.Inputs.Count];
                _values.Add(values);
                for (int i = 0; i < values.Length; i++) values[i] = set.Inputs[i].ToOrtValue();
            }

            using var original = new VerificationSession(originalModelPath, _budget);
            foreach (SampleSet set in samples)
            {
                var names = set.Inputs.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
                var unknown = names.Where(n => !original.InputNames.Contains(n)).ToList();
                var missing = original.InputNames.Where(n => !names.Contains(n)).ToList();
                if (unknown.Count > 0 || missing.Count > 0)
                {
                    throw new ModelToolException(ToolErrorCodes.SampleInvalid,
                        $"The sample inputs do not fit '{originalModelPath}': " +
                        (missing.Count > 0 ? $"missing {string.Join(", ", missing.Select(n => ModelText.Quote(n)))}" : "") +
                        (missing.Count > 0 && unknown.Count > 0 ? "; " : "") +
                        (unknown.Count > 0 ? $"not inputs of the model: {string.Join(", ", unknown.Select(n => ModelText.Quote(n)))}" : "") + ".");
                }
            }

            var skipped = new Dictionary<string, string>(notCompared ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (string output in original.OptionalOutputs)
            {
                skipped.TryAdd(output, "an optional output (ONNX Runtime's C# API crashes the process on an empty one)");
            }
            NotCompared = skipped.Where(s => original.OutputNames.Contains(s.Key)).ToDictionary(StringComparer.Ordinal);
            _outputNames = [.. original.OutputNames.Where(n => !NotCompared.ContainsKey(n))];
            if (_outputNames.Length == 0)
            {
                throw new ModelToolException(ToolErrorCodes.Unverifiable,
                    $"No output of '{originalModelPath}' can be compared: " +
                    string.Join("; ", NotCompared.Select(s => $"{ModelText.Quote(s.Key)} is {s.Value}")) + ".");
            }
            _reference = [.. Enumerable.Range(0, samples.Count).Select(s => Run(original, s))];
            OriginalMedianMilliseconds = Time(original);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>How many sample sets each model runs on.</summary>
    public int SampleCount => _samples.Count;

    /// <summary>Outputs of the original that are not compared, with why.</summary>
    public IReadOnlyDictionary<string, string> NotCompared { get; } = new Dictionary<string, string>();

    /// <summary>Median latency of the original model (ms), measured like <see cref="VerificationResult.MedianMilliseconds"/>.</summary>
    public double OriginalMedianMilliseconds { get; }

    /// <summary>Runs the variant (.onnx or .ort) on every sample set and compares each output with the original's.</summary>
    /// <param name="variantModelPath">The variant's file.</param>
    /// <param name="referenceLevel">The original's outputs to compare with: null, as ONNX Runtime runs it by default (ALL); else
    /// as it runs at that level (run once per level, on the same samples). See <c>VerifyPass.ReferenceLevel</c>.</param>
    /// <exception cref="ModelToolException">MB5604 when the variant lacks an output or needs an input the samples lack; MB5603 when ORT fails;
    /// MB565x when it exceeds the budget.</exception>
    public VerificationResult Verify(string variantModelPath, OptimizationLevel? referenceLevel = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(variantModelPath);
        using var variant = new VerificationSession(variantModelPath, _budget);
        var missingOutputs = _outputNames.Where(n => !variant.OutputNames.Contains(n)).ToList();
        var sampleNames = _samples[0].Inputs.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var extraInputs = variant.InputNames.Where(n => !sampleNames.Contains(n)).ToList();
        if (missingOutputs.Count > 0 || extraInputs.Count > 0)
        {
            throw new ModelToolException(ToolErrorCodes.VariantSignatureMismatch,
                $"Variant '{variantModelPath}' does not have the original's signature: " +
                (missingOutputs.Count > 0 ? $"no output {string.Join(", ", missingOutputs.Select(n => ModelText.Quote(n)))}" : "") +
                (missingOutputs.Count > 0 && extraInputs.Count > 0 ? "; " : "") +
                (extraInputs.Count > 0 ? $"needs input(s) {string.Join(", ", extraInputs.Select(n => ModelText.Quote(n)))} the original does not have" : "") + ".");
        }

        var actual = Enumerable.Range(0, _samples.Count).Select(s => Run(variant, s)).ToArray();
        CapturedOutput[][] reference = referenceLevel is { } level ? ReferenceAt(level) : _reference;
        var metrics = _outputNames
            .Select((name, o) => OutputComparer.Compare(name, [.. reference.Select(r => r[o])], [.. actual.Select(r => r[o])]))
            .ToList();
        return new VerificationResult(metrics, Time(variant));
    }

    private CapturedOutput[][] ReferenceAt(OptimizationLevel level)
    {
        if (!_referenceAt.TryGetValue(level, out CapturedOutput[][]? outputs))
        {
            using var original = new VerificationSession(_originalModelPath, _budget, OrtGraphOptimizer.ToOrt(level));
            _referenceAt[level] = outputs = [.. Enumerable.Range(0, _samples.Count).Select(s => Run(original, s))];
        }
        return outputs;
    }

    // Feeds only what the session declares, in the sample's order.
    private (List<string> Names, List<OrtValue> Values) Feeds(VerificationSession session, int sample)
    {
        var names = new List<string>();
        var values = new List<OrtValue>();
        IReadOnlyList<SampleTensor> inputs = _samples[sample].Inputs;
        for (int i = 0; i < inputs.Count; i++)
        {
            if (session.InputNames.Contains(inputs[i].Name))
            {
                names.Add(inputs[i].Name);
                values.Add(_values[sample][i]);
            }
        }
        return (names, values);
    }

    private CapturedOutput[] Run(VerificationSession session, int sample)
    {
        var (names, values) = Feeds(session, sample);
        return session.Run(names, values, _outputNames);
    }

    private double Time(VerificationSession session)
    {
        var (names, values) = Feeds(session, 0);
        return session.MedianMilliseconds(names, values, _outputNames, _latencyRuns);
    }

    public void Dispose()
    {
        foreach (OrtValue[] values in _values)
        {
            foreach (OrtValue? value in values) value?.Dispose();
        }
        _values.Clear();
    }
}
