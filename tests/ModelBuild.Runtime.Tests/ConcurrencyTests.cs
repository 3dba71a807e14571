using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Runtime.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public void OneSession_EightThreadsAtOnce_EveryResultIsItsOwn()
    {
        const int Threads = 8;
        const int RunsPerThread = 40;
        using var fixture = new ModelFixture(TestModels.AddTwo());
        using var session = fixture.Load(new ModelOptions { IntraOpNumThreads = 1 });
        using var start = new Barrier(Threads);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int run = 0; run < RunsPerThread; run++)
            {
                // Distinct values and row counts per thread and run: a result crossing threads cannot match.
                int rows = 1 + ((t + run) % 5);
                float seed = (t * 1000) + run;
                var a = new DenseTensor<float>(Enumerable.Range(0, rows * 3).Select(i => seed + i).ToArray(), [rows, 3]);
                var b = new DenseTensor<float>(Enumerable.Range(0, rows * 3).Select(i => (float)(-i * t)).ToArray(), [rows, 3]);
                using var inputs = new ModelInputs(session.Description);
                inputs.Add(0, a);
                inputs.Add(1, b);
                using var results = session.Run(inputs);
                var sum = results.GetTensor<float>(0);
                float[] expected = a.Buffer.ToArray().Zip(b.Buffer.ToArray(), (x, y) => x + y).ToArray();
                if (!sum.Dimensions.SequenceEqual([rows, 3]) || !sum.ToArray().SequenceEqual(expected))
                {
                    failures.Add($"thread {t} run {run}: got [{string.Join(", ", sum.ToArray())}]");
                }
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());

        Assert.Empty(failures);
    }
}
