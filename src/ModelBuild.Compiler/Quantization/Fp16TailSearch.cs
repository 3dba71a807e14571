using ModelBuild.Compiler.Budgets;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// fp16 compute with an accuracy search: when the fp16 graph's outputs fall below the target cosine on the
/// calibration samples, the last layers are kept fp32, a tail that doubles (from the last 1, 2, 4, … heavy ops on)
/// until the outputs meet the target, up to half of them. fp16 error matters most near the outputs: a DBNet detector's probability map is
/// a Sigmoid of logits around -10 on text-free input, where fp16's spacing (0.008) is a 0.8% relative error.
/// </summary>
internal static class Fp16TailSearch
{
    /// <summary>The search aims this share of the way from the target to 1 (0.9992 for 0.999), a margin for run-to-run differences.</summary>
    private const double Margin = 0.2;

    public static QuantizationResult Apply(ModelProto model, TensorSource tensors, Fp16Options options, IReadOnlyList<SampleSet> samples, double minCosine,
        VerificationBudget budget)
    {
        ArgumentNullException.ThrowIfNull(model);
        double target = minCosine + (1 - minCosine) * Margin;
        GraphProto original = model.Graph.Clone();
        List<float[]>[] expected = Run(model, samples, budget);
        var heavy = original.Node.Select((node, index) => (node, index))
            .Where(n => GraphScope.IsDefaultDomain(n.node) && Fp16CudaPayoff.HeavyOps.Contains(n.node.OpType))
            .Select(n => n.index).ToList();
        int maxTail = heavy.Count / 2; // beyond that, fp16 would no longer pay
        (GraphProto Graph, QuantizationResult Result, double Cosine)? plain = null;
        for (int tail = 0; tail <= maxTail; tail = tail == 0 ? 1 : tail * 2)
        {
            model.Graph = original.Clone();
            var fp32 = tail == 0 ? null : original.Node.Skip(heavy[^tail]).Where(n => n.Output.Count > 0).Select(n => n.Output[0]).ToHashSet(StringComparer.Ordinal);
            QuantizationResult result = Fp16GraphConverter.Apply(model, tensors, options with { Fp32Nodes = fp32 });
            double cosine;
            try
            {
                cosine = WorstCosine(expected, Run(model, samples, budget));
            }
            catch (OnnxRuntimeException)
            {
                // ONNX Runtime's CPU provider cannot run this fp16 graph (a kernel only a GPU has): verification reports it.
                return result with { KeptReasons = [.. result.KeptReasons, "accuracy not searched: the build machine's CPU cannot run the fp16 graph"] };
            }

            if (cosine >= target)
            {
                return tail == 0 ? result : result with
                {
                    KeptReasons = [.. result.KeptReasons, Line($"fp16 output cosine {cosine:0.00000} with the last {tail} of {heavy.Count} Conv/MatMul/Gemm/recurrent nodes and what follows kept fp32 (target {target:0.00000})")],
                };
            }

            plain ??= (model.Graph, result, cosine);
        }

        // The error does not come from the last layers: keeping them fp32 would cost speed for nothing; verification judges the fp16 form.
        model.Graph = plain!.Value.Graph;
        return plain.Value.Result with
        {
            KeptReasons = [.. plain.Value.Result.KeptReasons, Line($"fp16 output cosine {plain.Value.Cosine:0.00000} on the calibration samples (target {target:0.00000}); keeping up to the last {maxTail} of {heavy.Count} Conv/MatMul/Gemm/recurrent nodes fp32 did not reach it")],
        };
    }

    private static string Line(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Float outputs per sample (other outputs are compared by the verifier, not here).</summary>
    private static List<float[]>[] Run(ModelProto model, IReadOnlyList<SampleSet> samples, VerificationBudget budget)
    {
        // As the verifier: all optimizations, and ORT's log (which quotes node names verbatim) kept off stderr.
        using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        DateTime deadline = DateTime.UtcNow + budget.Timeout;
        using var session = new InferenceSession(OnnxModelWriter.Serialize(model), options);
        var outputs = new List<float[]>[samples.Count];
        for (int s = 0; s < samples.Count; s++)
        {
            var inputs = samples[s].Inputs.Select(i => i.ToOrtValue()).ToList();
            try
            {
                using var runOptions = new RunOptions();
                using var watchdog = new RunWatchdog(runOptions, deadline, budget.MemoryLimitBytes); // ends a run the verifier would stop too
                using var results = session.Run(runOptions, samples[s].Inputs.Select(i => i.Name).ToList(), inputs, session.OutputNames);
                outputs[s] = [.. results.Where(r => r.IsTensor && r.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float)
                    .Select(r => r.GetTensorDataAsSpan<float>().ToArray())];
            }
            finally
            {
                inputs.ForEach(v => v.Dispose());
            }
        }

        return outputs;
    }

    private static double WorstCosine(List<float[]>[] expected, List<float[]>[] actual)
    {
        double worst = 1;
        for (int s = 0; s < expected.Length; s++)
        {
            for (int o = 0; o < expected[s].Count; o++)
            {
                worst = Math.Min(worst, Cosine(expected[s][o], actual[s][o]));
            }
        }

        return worst;
    }

    /// <summary>Cosine in double; NaN (an overflow) counts as 0, two all-zero vectors as 1.</summary>
    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        if (na == 0 && nb == 0) return 1;
        double cosine = dot / (Math.Sqrt(na) * Math.Sqrt(nb));
        return double.IsNaN(cosine) ? 0 : cosine;
    }
}
