using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static ModelBuild.Onnx.Protos.TensorProto.Types;

namespace ModelBuild.Runtime.Tests;

public sealed class ModelSessionTests : IDisposable
{
    private readonly ModelFixture _iris = new(TestModels.Iris(), "iris-classifier");

    public void Dispose() => _iris.Dispose();

    private static DenseTensor<float> Features(params float[] values) => new(values, [values.Length / 4, 4]);

    [Fact]
    public void Run_MatchesDirectInferenceSession()
    {
        float[] data = [5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f, -1f, 0f, 2f, 0.5f];

        using var direct = new InferenceSession(_iris.FullPath);
        using var expected = direct.Run([NamedOnnxValue.CreateFromTensor("features", new DenseTensor<float>(data.ToArray(), [3, 4]))]);
        float[] expectedProbabilities = expected.Single(v => v.Name == "probabilities").AsTensor<float>().ToArray();
        long[] expectedLabels = expected.Single(v => v.Name == "label").AsTensor<long>().ToArray();

        using var session = _iris.Load();
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, Features(data));
        using var results = session.Run(inputs);

        var probabilities = results.GetTensor<float>(0);
        var labels = results.GetTensor<long>(1);
        Assert.Equal([3, 3], probabilities.Dimensions.ToArray());
        Assert.Equal([3], labels.Dimensions.ToArray());
        Assert.Equal(expectedProbabilities, probabilities.ToArray());
        Assert.Equal(expectedLabels, labels.ToArray());

        // And the numbers are the model's numbers, not just "the same as something": check row 0 by hand.
        float[] logits = new float[3];
        for (int j = 0; j < 3; j++)
        {
            logits[j] = TestModels.IrisBias[j];
            for (int k = 0; k < 4; k++)
            {
                logits[j] += data[k] * TestModels.IrisWeights[(k * 3) + j];
            }
        }

        double sum = logits.Sum(l => Math.Exp(l));
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(Math.Exp(logits[j]) / sum, probabilities[0, j], 5);
        }

        Assert.Equal(Array.IndexOf(logits, logits.Max()), labels[0]);
    }

    [Fact]
    public void Load_SetsPathAndDescription()
    {
        using var session = _iris.Load(new ModelOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 });
        Assert.Equal(_iris.FullPath, session.ModelPath);
        Assert.Same(_iris.Description, session.Description);
        Assert.Contains("features", session.InferenceSession.InputMetadata.Keys);
    }

    [Fact]
    public void Load_RunsConfigureCallbackAfterThreadSettings()
    {
        SessionOptions? seen = null;
        int intraSeen = -1;
        using var session = _iris.Load(new ModelOptions
        {
            IntraOpNumThreads = 3,
            ConfigureSessionOptions = o =>
            {
                seen = o;
                intraSeen = o.IntraOpNumThreads;
            },
        });
        Assert.NotNull(seen);
        Assert.Equal(3, intraSeen);
    }

    [Fact]
    public void Add_WrongFixedDimension_ThrowsWithNamesAndShapes()
    {
        using var inputs = new ModelInputs(_iris.Description);
        var ex = Assert.Throws<ArgumentException>(() => inputs.Add(0, new DenseTensor<float>([1, 5])));
        Assert.StartsWith("Input 'features' expects shape [batch, 4] but got [1, 5].", ex.Message);
    }

    [Fact]
    public void Add_WrongRank_Throws()
    {
        using var inputs = new ModelInputs(_iris.Description);
        var ex = Assert.Throws<ArgumentException>(() => inputs.Add(0, new DenseTensor<float>([4])));
        Assert.StartsWith("Input 'features' expects shape [batch, 4] but got [4].", ex.Message);
    }

    [Fact]
    public void Add_WrongElementType_ThrowsNamingInputAndExpectedType()
    {
        using var inputs = new ModelInputs(_iris.Description);
        var ex = Assert.Throws<ArgumentException>(() => inputs.Add(0, new DenseTensor<double>([1, 4])));
        Assert.Contains("'features'", ex.Message);
        Assert.Contains("C# float", ex.Message);
        Assert.Contains("DenseTensor<double>", ex.Message);
    }

    [Fact]
    public void Add_SameInputTwice_Throws()
    {
        using var inputs = new ModelInputs(_iris.Description);
        inputs.Add(0, new DenseTensor<float>([1, 4]));
        Assert.Throws<ArgumentException>(() => inputs.Add(0, new DenseTensor<float>([1, 4])));
        Assert.Throws<ArgumentOutOfRangeException>(() => inputs.Add(1, new DenseTensor<float>([1, 4])));
    }

    [Fact]
    public void Run_MissingInput_ThrowsNamingIt()
    {
        using var session = _iris.Load();
        using var inputs = new ModelInputs(session.Description);
        var ex = Assert.Throws<ArgumentException>(() => session.Run(inputs));
        Assert.Contains("'features'", ex.Message);
        Assert.Contains("not added", ex.Message);
    }

    [Fact]
    public void Run_AfterADisposedFullInputSet_StartsFromNoInputs()
    {
        // Disposed inputs hand their storage to the next ModelInputs of the model: it must come back empty.
        using var session = _iris.Load();
        using (var full = new ModelInputs(session.Description))
        {
            full.Add(0, Features(1, 2, 3, 4));
            session.Run(full).Dispose();
        }

        using var next = new ModelInputs(session.Description);
        Assert.Contains("'features'", Assert.Throws<ArgumentException>(() => session.Run(next)).Message);
        next.Add(0, Features(4, 3, 2, 1));
        using var results = session.Run(next);
        Assert.Equal([1, 3], results.GetTensor<float>(0).Dimensions.ToArray());
    }

    [Fact]
    public void Run_EarlierResultsKeepTheirValues_WhileLaterRunsOfAnyShapeFollow()
    {
        // Runs on one thread reuse one I/O binding; ONNX Runtime would write into outputs a binding still held.
        using var session = _iris.Load();
        float[][] batches = [[5.1f, 3.5f, 1.4f, 0.2f], [6.7f, 3.0f, 5.2f, 2.3f], [-1f, 0f, 2f, 0.5f, 1f, 1f, 1f, 1f, 0f, 0f, 0f, 9f]];
        var kept = new List<(ModelResults Results, float[] Copy)>();
        try
        {
            foreach (float[] batch in batches)
            {
                using var inputs = new ModelInputs(session.Description);
                inputs.Add(0, Features(batch));
                var results = session.Run(inputs);
                kept.Add((results, results.GetTensor<float>(0).ToArray()));
            }

            Assert.NotEqual(kept[0].Copy, kept[1].Copy);
            Assert.Equal(9, kept[2].Copy.Length);
            foreach (var (results, copy) in kept)
            {
                Assert.Equal(copy, results.GetTensor<float>(0).ToArray());
                Assert.Equal(copy, results.GetOrtValue(0).GetTensorDataAsSpan<float>().ToArray());
            }
        }
        finally
        {
            kept.ForEach(k => k.Results.Dispose());
        }
    }

    [Fact]
    public void Run_AGraphInputThatIsAlsoAnOutput_IsReturnedEveryRun()
    {
        // Outputs are bound to the CPU allocator each run; an output that is a graph input must come back as well.
        var model = TestModels.Model(TestModels.Graph("pass",
            [TestModels.Value("x", DataType.Float, "n")],
            [TestModels.Value("x", DataType.Float, "n"), TestModels.Value("y", DataType.Float, "n")],
            [TestModels.Node("Neg", ["x"], ["y"])]));
        using var fixture = new ModelFixture(model);
        using var session = fixture.Load();
        for (int run = 0; run < 3; run++)
        {
            using var inputs = new ModelInputs(session.Description);
            inputs.Add(0, new DenseTensor<float>(new float[] { 1, 2, run }, [3]));
            using var results = session.Run(inputs);
            Assert.Equal([1, 2, run], results.GetTensor<float>(0).ToArray());
            Assert.Equal([-1, -2, -run], results.GetTensor<float>(1).ToArray());
        }
    }

    [Fact]
    public void Run_SymbolicDimensionDisagreement_ThrowsNamingBothInputs()
    {
        using var fixture = new ModelFixture(TestModels.AddTwo());
        using var session = fixture.Load();
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<float>([1, 3]));
        inputs.Add(1, new DenseTensor<float>([2, 3]));
        var ex = Assert.Throws<ArgumentException>(() => session.Run(inputs));
        Assert.Contains("'n'", ex.Message);
        Assert.Contains("input 'a' has 1", ex.Message);
        Assert.Contains("input 'b' has 2", ex.Message);

        // Agreeing sizes run.
        using var ok = new ModelInputs(session.Description);
        ok.Add(0, new DenseTensor<float>(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]));
        ok.Add(1, new DenseTensor<float>(new float[] { 10, 20, 30, 40, 50, 60 }, [2, 3]));
        using var results = session.Run(ok);
        Assert.Equal([11f, 22, 33, 44, 55, 66], results.GetTensor<float>(0).ToArray());
    }

    [Fact]
    public void GetTensor_WrongType_ThrowsNamingOutput()
    {
        using var session = _iris.Load();
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, Features(1, 2, 3, 4));
        using var results = session.Run(inputs);
        var ex = Assert.Throws<InvalidOperationException>(() => results.GetTensor<float>(1));
        Assert.Contains("'label'", ex.Message);
        Assert.Contains("int64", ex.Message);
        Assert.Contains("GetTensor<float>", ex.Message);
    }

    [Fact]
    public unsafe void Add_WrapsInputWithoutCopy_OrtValuePointsAtTheArray()
    {
        float[] data = [1, 2, 3, 4, 5, 6, 7, 8];
        using var inputs = new ModelInputs(_iris.Description);
        inputs.Add(0, new DenseTensor<float>(data, [2, 4]));

        var value = inputs.GetValue(0)!;
        IntPtr native = (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(value.GetTensorMutableRawData()));
        fixed (float* managed = data)
        {
            Assert.Equal((IntPtr)managed, native);
        }

        // Pinned: the array is not moved by a compacting GC while the inputs live.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        fixed (float* managed = data)
        {
            Assert.Equal((IntPtr)managed, native);
        }
    }

    [Fact]
    public void Run_SeesChangesMadeToTheInputBufferAfterAdd()
    {
        // Observable consequence of zero-copy: a copy taken in Add would not see this write.
        using var fixture = new ModelFixture(TestModels.Identity(DataType.Float, "n"));
        using var session = fixture.Load();
        float[] data = [1, 2, 3];
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<float>(data, [3]));
        data[1] = 42;
        using var results = session.Run(inputs);
        Assert.Equal([1f, 42, 3], results.GetTensor<float>(0).ToArray());
    }

    [Fact]
    public unsafe void GetTensor_IsViewOverNativeOutput()
    {
        using var session = _iris.Load();
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, Features(1, 2, 3, 4));
        using var results = session.Run(inputs);

        var tensor = results.GetTensor<float>(0);
        IntPtr native = (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(results.GetOrtValue(0).GetTensorMutableRawData()));
        using var pin = tensor.Buffer.Pin();
        Assert.Equal(native, (IntPtr)pin.Pointer);

        // A write through the tensor is visible through ONNX Runtime's value: same memory.
        tensor[0, 0] = 123f;
        Assert.Equal(123f, results.GetOrtValue(0).GetTensorDataAsSpan<float>()[0]);
        Assert.Same(tensor, results.GetTensor<float>(0));
    }

    [Fact]
    public void Results_AfterDispose_Throw()
    {
        using var session = _iris.Load();
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, Features(1, 2, 3, 4));
        var results = session.Run(inputs);
        results.Dispose();
        Assert.Throws<ObjectDisposedException>(() => results.GetTensor<float>(0));
    }

    [Fact]
    public void Run_ReverseStrideInput_IsPassedInLogicalOrder()
    {
        using var fixture = new ModelFixture(TestModels.Identity(DataType.Float, 2, 3));
        using var session = fixture.Load();
        var input = new DenseTensor<float>([2, 3], reverseStride: true);
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                input[i, j] = (i * 10) + j;
            }
        }

        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, input);
        using var results = session.Run(inputs);
        Assert.Equal([0f, 1, 2, 10, 11, 12], results.GetTensor<float>(0).ToArray());
    }

    [Fact]
    public void Run_EightThreadsOnOneSession_AllResultsCorrect()
    {
        using var session = _iris.Load();
        using var direct = new InferenceSession(_iris.FullPath);
        const int Threads = 8;
        const int Iterations = 200;

        // Expected outputs for each thread's distinct input, from a plain InferenceSession call.
        var inputsPerThread = new float[Threads][];
        var expected = new float[Threads][];
        for (int t = 0; t < Threads; t++)
        {
            inputsPerThread[t] = Enumerable.Range(0, 8).Select(k => (float)((t * 1.7) - (k * 0.3))).ToArray();
            using var r = direct.Run([NamedOnnxValue.CreateFromTensor("features", new DenseTensor<float>(inputsPerThread[t].ToArray(), [2, 4]))]);
            expected[t] = r.Single(v => v.Name == "probabilities").AsTensor<float>().ToArray();
        }

        Assert.Equal(Threads, expected.Select(e => string.Join(",", e)).Distinct().Count());

        using var start = new Barrier(Threads);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < Iterations; i++)
            {
                using var inputs = new ModelInputs(session.Description);
                inputs.Add(0, new DenseTensor<float>(inputsPerThread[t].ToArray(), [2, 4]));
                using var results = session.Run(inputs);
                float[] actual = results.GetTensor<float>(0).ToArray();
                if (!actual.SequenceEqual(expected[t]))
                {
                    failures.Add($"thread {t} iteration {i}: {string.Join(",", actual)}");
                }
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());
        Assert.Empty(failures);
    }

    [Fact]
    public async Task RunAsync_ReturnsResults()
    {
        using var session = _iris.Load();
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, Features(1, 2, 3, 4));
        using var results = await session.RunAsync(inputs);
        Assert.Equal(1f, results.GetTensor<float>(0).Sum(), 5);
    }

    [Fact]
    public async Task RunAsync_Cancellation_StopsALongRunningModel()
    {
        using var fixture = new ModelFixture(TestModels.EndlessLoop());
        using var session = fixture.Load(new ModelOptions { IntraOpNumThreads = 1 });
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<float>(new float[] { 0 }, [1]));

        using var cts = new CancellationTokenSource();
        var task = session.RunAsync(inputs, cts.Token);

        // The model really is long-running: it has not finished after a while.
        var early = await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(500)));
        Assert.NotSame(task, early);

        var watch = Stopwatch.StartNew();
        cts.Cancel();
        var finished = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(5)));
        watch.Stop();
        Assert.Same(task, finished);
        Assert.True(task.IsCanceled, $"task status {task.Status}");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Dispose_DuringARun_WaitsForTheRunBeforeReleasingTheSession()
    {
        using var fixture = new ModelFixture(TestModels.EndlessLoop());
        var session = fixture.Load(new ModelOptions { IntraOpNumThreads = 1 });
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<float>(new float[] { 0 }, [1]));
        using var cts = new CancellationTokenSource();
        var task = session.RunAsync(inputs, cts.Token);
        // Disposing before the run is under way would only test the disposed check; wait until it is inside ONNX Runtime.
        var deadline = Stopwatch.StartNew();
        while (session.ActiveRuns == 0 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, session.ActiveRuns);
        await Task.Delay(100);

        session.Dispose(); // must not free the native session under the running call (that would crash the process)
        Assert.Throws<ObjectDisposedException>(() => session.Run(inputs));

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Throws<ObjectDisposedException>(() => session.Run(inputs));
    }

    [Fact]
    public void Results_OutliveTheSession()
    {
        ModelResults results;
        using (var session = _iris.Load())
        {
            using var inputs = new ModelInputs(session.Description);
            inputs.Add(0, Features(1, 2, 3, 4));
            results = session.Run(inputs);
        }

        using (results)
        {
            Assert.Equal(1f, results.GetTensor<float>(0).Sum(), 5);
            Assert.Single(results.GetTensor<long>(1).ToArray());
        }
    }

    [Fact]
    public async Task RunAsync_AlreadyCancelled_DoesNotRun()
    {
        using var session = _iris.Load();
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, Features(1, 2, 3, 4));
        var task = session.RunAsync(inputs, new CancellationToken(canceled: true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Fact]
    public void StringTensor_RoundTripsThroughIdentity()
    {
        using var fixture = new ModelFixture(TestModels.Identity(DataType.String, "n"));
        using var session = fixture.Load();
        string[] data = ["hello", "", "ünïcødé ✓", "with\nnewline"];
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<string>(data, [4]));
        using var results = session.Run(inputs);
        var output = results.GetTensor<string>(0);
        Assert.Equal([4], output.Dimensions.ToArray());
        Assert.Equal(data, output.ToArray());
    }

    [Fact]
    public void Float16Tensor_RoundTripsThroughIdentity()
    {
        using var fixture = new ModelFixture(TestModels.Identity(DataType.Float16, "n"));
        using var session = fixture.Load();
        Float16[] data = [(Float16)1.5f, (Float16)(-2.25f), (Float16)65504f, (Float16)0.000061035156f];
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<Float16>(data, [4]));
        using var results = session.Run(inputs);
        Assert.Equal(data, results.GetTensor<Float16>(0).ToArray());
        Assert.Equal(-2.25f, (float)results.GetTensor<Float16>(0)[1]);
    }

    [Fact]
    public void BoolTensor_RoundTripsThroughIdentity()
    {
        using var fixture = new ModelFixture(TestModels.Identity(DataType.Bool, "n"));
        using var session = fixture.Load();
        bool[] data = [true, false, false, true];
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<bool>(data, [4]));
        using var results = session.Run(inputs);
        Assert.Equal(data, results.GetTensor<bool>(0).ToArray());
    }
}
