using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Benchmarks;
using ModelBuild.Onnx;
using ZooModels;

namespace ModelBuild.Runtime.Tests;

/// <summary>The wrappers generated from Signatures/ over the zoo models they were compiled from.</summary>
public sealed class GeneratedWrapperTests(ZooModelFiles files) : IClassFixture<ZooModelFiles>
{
    [Theory]
    [InlineData("iris-classifier.onnx")]
    [InlineData("text-classifier.onnx")]
    public void Signatures_StillDescribeTheZooModels(string file)
    {
        var graph = OnnxModelReader.ReadFile(Path.Combine(files.Folder, file)).Graph;
        var description = file.StartsWith("iris", StringComparison.Ordinal) ? IrisClassifier.Description : TextClassifier.Description;
        Assert.Equal(graph.Input.Select(v => v.Name), description.Inputs.Select(v => v.Name));
        Assert.Equal(graph.Output.Select(v => v.Name), description.Outputs.Select(v => v.Name));
        var dims = graph.Input.Concat(graph.Output).Select(v => string.Join(",", v.Type.TensorType.Shape.Dim.Select(d => d.DimParam is { Length: > 0 } p ? p : d.DimValue.ToString())));
        var described = description.Inputs.Concat(description.Outputs).Select(v => string.Join(",", v.Shape!.Select(d => d.Symbol ?? d.Value.ToString())));
        Assert.Equal(dims, described);
    }

    [Fact]
    public void Outputs_AreReadOnFirstUse_AndRefusedAfterDispose()
    {
        long[] ids = [1, 2, 3, 4], mask = [1, 1, 1, 0], segments = [0, 0, 1, 1];
        using var model = TextClassifier.Load(files.TextClassifier, ZooModelFiles.Options);
        var output = model.Run(new TextClassifierInput
        {
            InputIds = new DenseTensor<long>(ids, [1, 4]),
            AttentionMask = new DenseTensor<long>(mask, [1, 4]),
            TokenTypeIds = new DenseTensor<long>(segments, [1, 4]),
        });

        using var direct = new InferenceSession(files.TextClassifier);
        using var expected = direct.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, [1, 4])),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, [1, 4])),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(segments, [1, 4])),
        ]);
        Assert.Equal(expected.Single().AsTensor<float>().ToArray(), output.Logits.ToArray());
        Assert.Same(output.Logits, output.Logits);

        output.Dispose();
        Assert.Throws<ObjectDisposedException>(() => output.Logits);
    }

    private static TextClassifierInput Tokens(params long[] ids) => new()
    {
        InputIds = new DenseTensor<long>(ids, [1, ids.Length]),
        AttentionMask = new DenseTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), [1, ids.Length]),
        TokenTypeIds = new DenseTensor<long>(new long[ids.Length], [1, ids.Length]),
    };

    [Fact]
    public void DisposedOutputs_StayDisposed_WhileTheSessionReusesTheirResults()
    {
        using var model = TextClassifier.Load(files.TextClassifier, ZooModelFiles.Options);
        var first = model.Run(Tokens(1, 2, 3));
        float[] firstLogits = first.Logits.ToArray();
        var copy = first;
        first.Dispose();
        copy.Dispose();   // a second dispose, through a copy: nothing happens

        using var second = model.Run(Tokens(9, 8, 7, 6, 5));   // runs on the results object the first run had
        Assert.Throws<ObjectDisposedException>(() => first.Logits);
        Assert.Throws<ObjectDisposedException>(() => copy.Logits);
        Assert.NotEqual(firstLogits, second.Logits.ToArray());
        using var third = model.Run(Tokens(1, 2, 3));
        Assert.Equal(firstLogits, third.Logits.ToArray());
        Assert.NotEqual(firstLogits, second.Logits.ToArray());   // two live results at once: the second kept its own
        Assert.Throws<ObjectDisposedException>(() => default(TextClassifierOutput).Logits);
    }

    [Fact]
    public async Task AnInputThatDoesNotFit_LeavesTheNextRunUntouched()
    {
        using var model = TextClassifier.Load(files.TextClassifier, ZooModelFiles.Options);
        var wrong = Tokens(1, 2, 3);
        wrong = new TextClassifierInput { InputIds = wrong.InputIds, AttentionMask = new DenseTensor<long>(new long[3], [3]), TokenTypeIds = wrong.TokenTypeIds };
        Assert.Contains("'attention_mask'", Assert.Throws<ArgumentException>(() => model.Run(wrong)).Message);
        await Assert.ThrowsAsync<ArgumentException>(() => model.RunAsync(wrong));

        // The reused inputs start empty again (input_ids was added before attention_mask failed).
        using var sync = model.Run(Tokens(4, 5));
        using var async = await model.RunAsync(Tokens(4, 5));
        Assert.Equal(sync.Logits.ToArray(), async.Logits.ToArray());
    }

    [Fact]
    public void OneInstance_EightThreadsAtOnce_EveryResultIsItsOwn()
    {
        // Runs share the session's reused inputs, results and I/O bindings; each thread also keeps its previous output
        // alive across its next run, so a reused object or buffer that was still in use would show as a wrong result.
        const int Threads = 8, RunsPerThread = 40;
        long[] TokensOf(int thread, int run) => [.. Enumerable.Range(0, 2 + ((thread + run) % 6)).Select(i => (long)((thread * 7 + run * 3 + i) % 64))];
        using var direct = new InferenceSession(files.TextClassifier);
        float[] Expected(long[] ids)
        {
            var input = Tokens(ids);
            using var results = direct.Run(
            [
                NamedOnnxValue.CreateFromTensor("input_ids", input.InputIds),
                NamedOnnxValue.CreateFromTensor("attention_mask", input.AttentionMask),
                NamedOnnxValue.CreateFromTensor("token_type_ids", input.TokenTypeIds),
            ]);
            return results.Single().AsTensor<float>().ToArray();
        }

        var expected = Enumerable.Range(0, Threads).Select(t => Enumerable.Range(0, RunsPerThread).Select(r => Expected(TokensOf(t, r))).ToArray()).ToArray();
        using var model = TextClassifier.Load(files.TextClassifier, ZooModelFiles.Options);
        using var start = new Barrier(Threads);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            TextClassifierOutput previous = default;
            float[]? previousExpected = null;
            for (int run = 0; run < RunsPerThread; run++)
            {
                var output = model.Run(Tokens(TokensOf(t, run)));
                if (!output.Logits.ToArray().SequenceEqual(expected[t][run]))
                {
                    failures.Add($"thread {t} run {run}: [{string.Join(", ", output.Logits.ToArray())}]");
                }

                if (previousExpected is not null && !previous.Logits.ToArray().SequenceEqual(previousExpected))
                {
                    failures.Add($"thread {t} run {run - 1} changed after run {run}");
                }

                previous.Dispose();
                (previous, previousExpected) = (output, expected[t][run]);
            }

            previous.Dispose();
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());

        Assert.Empty(failures);
    }
}
