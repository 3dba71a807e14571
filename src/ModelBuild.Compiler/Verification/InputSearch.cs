using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// Finds generated inputs on which the original model runs: the constrained samples of
/// <see cref="SampleInputGenerator"/> at the default open-dimension size, then, while ONNX Runtime refuses them
/// (a reflect pad longer than the input, a window wider than the signal, ...), the same with larger open dimensions.
/// Bounded and deterministic: at most <see cref="OpenSizes"/>.Length tries, none whose sample sets would hold more than
/// <see cref="MaxElements"/> elements in all; the same model always gets the same inputs.
/// </summary>
internal static class InputSearch
{
    /// <summary>Sizes tried in turn for open dimensions that are neither batch nor image height/width.</summary>
    public static readonly long[] OpenSizes = [8, 64, 512, 2048];

    /// <summary>Elements over all inputs of all sample sets of one try (2^26: 256 MiB of float32).</summary>
    public const long MaxElements = 1L << 26;

    /// <summary>A verifier over the first samples the original model runs on.</summary>
    /// <exception cref="ModelToolException">MB5610 when no try runs the original (the first failure's message);
    /// MB5601 for inputs samples cannot be made for; MB5611 for SampleShapes that do not fit.</exception>
    public static ModelVerifier Run(string modelPath, ModelProto model, int count, int seed, SampleShapeOptions options,
        int latencyRuns, IReadOnlyDictionary<string, string> notCompared, VerificationBudget budget)
    {
        var elementTypes = model.Graph.Input.Where(i => i.Type?.TensorType is not null)
            .GroupBy(i => i.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Type.TensorType.ElemType, StringComparer.Ordinal);
        string? firstFailure = null;
        var tried = new List<string>();
        string? previousShapes = null;
        foreach (long size in OpenSizes)
        {
            SampleShapeOptions sized = options with { DefaultSize = size };
            IReadOnlyList<(string Name, long[] Shape)> shapes = SampleInputGenerator.Shapes(model, sized);
            string described = string.Join(", ", shapes.Select(s => $"{ModelText.Quote(s.Name)} [{string.Join(",", s.Shape)}]"));
            long elements = TensorSizePlanner.Multiply(shapes.Sum(s => s.Shape.Aggregate(1L, TensorSizePlanner.Multiply)), count);
            if (tried.Count > 0 && (described == previousShapes || elements > MaxElements))
            {
                break; // no open dimension to grow, or too large to try
            }
            previousShapes = described;
            tried.Add(described);
            // Before generating: a declared [2^32, 2^32, 4] input, or what it implies downstream, must not be allocated to find out.
            TensorSizePlanner.Check(model, shapes.ToDictionary(s => s.Name, s => (s.Shape, elementTypes.GetValueOrDefault(s.Name))), budget.MemoryLimitBytes);
            try
            {
                return new ModelVerifier(modelPath, SampleInputGenerator.Generate(model, count, seed, sized), latencyRuns, budget, notCompared);
            }
            catch (ModelToolException e) when (e.Code == ToolErrorCodes.VerificationRunFailed)
            {
                firstFailure ??= e.Message;
            }
        }
        throw new ModelToolException(ToolErrorCodes.Unverifiable,
            $"no generated input runs the original model (tried {string.Join("; then ", tried)}). {firstFailure} " +
            "Verify with your own data: SampleInputs (a folder of input_N.pb or test_data_set_N/input_N.pb TensorProto files, " +
            "or .npy/.npz files), or fix open dimensions with SampleShapes (e.g. SampleShapes=\"input=1,16000\").");
    }
}
