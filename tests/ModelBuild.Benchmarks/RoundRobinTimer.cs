using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Benchmarks;

/// <summary>
/// Latency of several variants of one model measured side by side: each round runs every variant once, in turn, so
/// load from other processes on a shared machine falls on all of them alike. Per variant: the median over rounds, and
/// the median of its per-round ratio to the first variant (the baseline).
/// </summary>
internal static class RoundRobinTimer
{
    /// <summary>Rounds for the report (./build.sh bench): about a minute for all models on 2 cores.</summary>
    public const int ReportRounds = 15;

    public sealed record Timing(string Variant, double MedianMilliseconds, double RatioToBaseline);

    public static IReadOnlyList<Timing> Measure(BenchModel model, IReadOnlyList<(string Name, string Path)> variants, int rounds, int warmups = 2)
    {
        var sessions = variants.Select(v => OrtSessions.Create(v.Path)).ToArray();
        using var input = model.CreateInput(0);
        using var runOptions = new RunOptions();
        try
        {
            var times = new double[variants.Count][];
            for (int v = 0; v < variants.Count; v++) times[v] = new double[rounds];
            for (int round = -warmups; round < rounds; round++)
            {
                for (int v = 0; v < variants.Count; v++)
                {
                    long start = Stopwatch.GetTimestamp();
                    using (sessions[v].Run(runOptions, [model.InputName], [input], [model.OutputName])) { }
                    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    if (round >= 0) times[v][round] = ms;
                }
            }

            return [.. variants.Select((v, i) => new Timing(v.Name, Median(times[i]),
                Median([.. Enumerable.Range(0, rounds).Select(r => times[i][r] / times[0][r])])))];
        }
        finally
        {
            foreach (var session in sessions) session.Dispose();
        }
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
