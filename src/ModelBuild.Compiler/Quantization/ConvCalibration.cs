using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>Activation ranges of the tensors static int8 quantizes, from ONNX Runtime runs of the model on sample inputs.</summary>
internal static class ConvCalibration
{
    private const int TensorsPerRun = 16;

    /// <summary>Runs the model with every Conv input and output point as an extra output, over every sample.</summary>
    public static Dictionary<string, ActivationRange> Run(ModelProto model, List<ConvSite> sites, IReadOnlyList<SampleSet> samples, string path, VerificationBudget budget)
    {
        ModelProto augmented = model.Clone();
        var tensors = sites.SelectMany(s => new[] { s.Input, s.OutputPoint }).Distinct(StringComparer.Ordinal).ToList();
        foreach (string tensor in tensors.Where(t => augmented.Graph.Output.All(o => o.Name != t)))
        {
            augmented.Graph.Output.Add(TensorData.ValueInfo(tensor, (int)TensorProto.Types.DataType.Float, []));
            augmented.Graph.Output[^1].Type.TensorType.Shape = null;
        }

        File.WriteAllBytes(path, OnnxModelWriter.Serialize(augmented));
        var collectors = tensors.ToDictionary(t => t, _ => new ActivationRange.Collector(), StringComparer.Ordinal);
        using var session = new VerificationSession(path, budget);
        foreach (SampleSet set in samples)
        {
            var inputs = set.Inputs.Where(t => session.InputNames.Contains(t.Name)).ToList();
            var values = inputs.Select(t => t.ToOrtValue()).ToList();
            try
            {
                // A few tensors per run: the copies of large feature maps stay small.
                foreach (string[] chunk in tensors.Chunk(TensorsPerRun))
                {
                    CapturedOutput[] outputs = session.Run([.. inputs.Select(t => t.Name)], values, chunk);
                    for (int i = 0; i < chunk.Length; i++) collectors[chunk[i]].Add(outputs[i].Floats);
                }
            }
            finally
            {
                values.ForEach(v => v.Dispose());
            }
        }

        var ranges = new Dictionary<string, ActivationRange>(StringComparer.Ordinal);
        foreach (var (tensor, collector) in collectors)
        {
            if (collector.Result() is { } range) ranges[tensor] = range;
        }

        return ranges;
    }
}
