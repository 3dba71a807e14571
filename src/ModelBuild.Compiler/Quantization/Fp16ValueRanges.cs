using ModelBuild.Compiler.Budgets;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Calibration for fp16 compute: runs the fp32 model with ONNX Runtime (CPU) on sample inputs with every float value
/// of the main graph made an output, and records each value's largest magnitude. <see cref="Fp16GraphConverter"/> keeps
/// the nodes that read or write a value outside fp16's useful range in fp32.
/// </summary>
internal static class Fp16ValueRanges
{
    /// <summary>fp16's largest finite value.</summary>
    public const float Fp16Max = 65504f;

    /// <summary>
    /// Activations above this stay fp32: a quarter of <see cref="Fp16Max"/>, since inputs met after the build may be
    /// larger than the samples (a DBNet detector's intermediates reach 10⁵ and more on ordinary images).
    /// </summary>
    public const float ActivationLimit = Fp16Max / 4;

    /// <summary>fp16's smallest normal value (2⁻¹⁴): a value whose largest magnitude is below it keeps at most 9 bits of precision.</summary>
    public const float Fp16MinNormal = 6.1035156e-5f;

    /// <summary>Largest |value| per float value name (inputs, node outputs) over all samples; NaN and infinity count as out of range.</summary>
    public static Dictionary<string, float> Measure(ModelProto model, IReadOnlyList<SampleSet> samples, VerificationBudget budget)
    {
        ArgumentNullException.ThrowIfNull(model);
        var probe = model.Clone();
        var graph = probe.Graph;
        Dictionary<string, int> types = ElementTypes.Infer(graph);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string value in graph.Node.SelectMany(n => n.Output))
        {
            if (value.Length > 0 && types.GetValueOrDefault(value) == (int)TensorProto.Types.DataType.Float && outputs.Add(value))
            {
                graph.Output.Add(new ValueInfoProto { Name = value });
            }
        }

        var ranges = new Dictionary<string, float>(StringComparer.Ordinal);
        // As the verifier: all optimizations, and ORT's log (which quotes node names verbatim) kept off stderr.
        using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        DateTime deadline = DateTime.UtcNow + budget.Timeout;
        using var session = new InferenceSession(OnnxModelWriter.Serialize(probe), options);
        foreach (SampleSet sample in samples)
        {
            var inputs = sample.Inputs.Select(i => i.ToOrtValue()).ToList();
            try
            {
                using var runOptions = new RunOptions();
                using var watchdog = new RunWatchdog(runOptions, deadline, budget.MemoryLimitBytes); // ends a run the verifier would stop too
                using var results = session.Run(runOptions, sample.Inputs.Select(i => i.Name).ToList(), inputs, session.OutputNames);
                for (int i = 0; i < results.Count; i++)
                {
                    if (results[i].GetTensorTypeAndShape().ElementDataType == TensorElementType.Float)
                    {
                        Record(ranges, session.OutputNames[i], results[i].GetTensorDataAsSpan<float>());
                    }
                }

                foreach (SampleTensor input in sample.Inputs)
                {
                    if (input.Data is float[] data) Record(ranges, input.Name, data);
                }
            }
            finally
            {
                inputs.ForEach(v => v.Dispose());
            }
        }

        return ranges;
    }

    private static void Record(Dictionary<string, float> ranges, string name, ReadOnlySpan<float> values)
    {
        float max = ranges.GetValueOrDefault(name);
        foreach (float v in values)
        {
            float magnitude = float.IsNaN(v) ? float.PositiveInfinity : MathF.Abs(v);
            if (magnitude > max) max = magnitude;
        }

        ranges[name] = max;
    }

    /// <summary>Why an activation with this largest magnitude cannot be fp16, or null when it can (all zeros are exact).</summary>
    public static string? Problem(float maxAbs) =>
        maxAbs > ActivationLimit ? "calibrated values beyond fp16's range"
        : maxAbs > 0 && maxAbs < Fp16MinNormal ? "calibrated values below fp16's normal range"
        : null;
}
