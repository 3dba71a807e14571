using ModelBuild.Compiler.Budgets;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Compiler.Verification;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// The lowest output cosine of a candidate model against the original on fixed samples, as verification computes it
/// (<see cref="OutputComparer"/>), without verification's timed runs: a search tries many candidates.
/// </summary>
internal sealed class AccuracyProbe : IDisposable
{
    private readonly List<(string[] Names, OrtValue[] Values)> _feeds = [];
    private readonly string[] _outputs;
    private readonly CapturedOutput[][] _reference; // [sample][output]
    private readonly VerificationBudget _budget;

    /// <param name="originalPath">The original model, run once here for the reference outputs.</param>
    /// <param name="samples">The inputs every candidate is compared on.</param>
    /// <param name="budget">The item's verification budget; each candidate's runs get all of it.</param>
    public AccuracyProbe(string originalPath, IReadOnlyList<SampleSet> samples, VerificationBudget budget)
    {
        _budget = budget;
        using var original = new VerificationSession(originalPath, budget);
        foreach (SampleSet set in samples)
        {
            var inputs = set.Inputs.Where(t => original.InputNames.Contains(t.Name)).ToList();
            _feeds.Add(([.. inputs.Select(t => t.Name)], [.. inputs.Select(t => t.ToOrtValue())]));
        }

        _outputs = [.. original.OutputNames];
        _reference = [.. _feeds.Select(f => original.Run(f.Names, f.Values, _outputs))];
    }

    public double MinCosine(string candidatePath)
    {
        using var candidate = new VerificationSession(candidatePath, _budget);
        var actual = _feeds.Select(f => candidate.Run(f.Names, f.Values, _outputs)).ToArray();
        return Enumerable.Range(0, _outputs.Length)
            .Select(o => OutputComparer.Compare(_outputs[o], [.. _reference.Select(r => r[o])], [.. actual.Select(r => r[o])]).Cosine)
            .DefaultIfEmpty(1).Min();
    }

    public void Dispose()
    {
        foreach (var (_, values) in _feeds)
        {
            foreach (OrtValue value in values) value.Dispose();
        }
    }
}
