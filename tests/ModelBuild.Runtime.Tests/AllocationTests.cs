using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using ZooModels;

namespace ModelBuild.Runtime.Tests;

/// <summary>
/// Managed bytes allocated per run by the generated wrappers against the hand-written ONNX Runtime calls they replace
/// (counted on the calling thread: exact, not timed). ./build.sh bench measures the same with BenchmarkDotNet.
/// </summary>
public sealed class AllocationTests(ZooModelFiles files, ITestOutputHelper output) : IClassFixture<ZooModelFiles>
{
    private const int Warmup = 20;
    private const int Runs = 200;

    [Fact]
    public void IrisClassifier_TypedRun_AllocatesNoMoreThanHandWrittenOrtCalls()
    {
        float[] features = [5.1f, 3.5f, 1.4f, 0.2f];
        using var model = IrisClassifier.Load(files.Iris, ZooModelFiles.Options);
        var input = new IrisClassifierInput { Features = new DenseTensor<float>(features, [1, 4]) };
        using var session = new InferenceSession(files.Iris, new SessionOptions { IntraOpNumThreads = 1 });
        using var runOptions = new RunOptions();
        string[] inputNames = ["features"], outputNames = ["probabilities", "label"];
        long[] shape = [1, 4];
        var values = new OrtValue[1];
        float sink = 0;

        long typed = BytesPerCall(() =>
        {
            using var result = model.Run(input);
        });
        long typedRead = BytesPerCall(() =>
        {
            using var result = model.Run(input);
            sink += result.Probabilities[0, 0] + result.Label[0];
        });
        long ortValues = BytesPerCall(() =>
        {
            using var value = OrtValue.CreateTensorValueFromMemory(features, shape);
            values[0] = value;
            using var results = session.Run(runOptions, inputNames, values, outputNames);
            sink += results[0].GetTensorDataAsSpan<float>()[0] + results[1].GetTensorDataAsSpan<long>()[0];
        });
        long namedValues = BytesPerCall(() =>
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("features", input.Features)]);
            sink += results.First().AsTensor<float>()[0, 0] + results.Last().AsTensor<long>()[0];
        });

        Report(typed, typedRead, ortValues, namedValues, sink);
        Assert.True(typed <= ortValues, $"typed Run allocates {typed} B, the hand-written OrtValue call {ortValues} B");
        Assert.True(typedRead <= namedValues, $"typed Run + reading every output allocates {typedRead} B, NamedOnnxValue {namedValues} B");
    }

    [Fact]
    public void TextClassifier_TypedRun_AllocatesNoMoreThanHandWrittenOrtCalls()
    {
        const int Sequence = 16;
        long[] ids = [.. Enumerable.Range(0, Sequence).Select(i => (long)(i * 7 % 64))];
        long[] mask = [.. Enumerable.Repeat(1L, Sequence)];
        long[] segments = [.. Enumerable.Range(0, Sequence).Select(i => i < 8 ? 0L : 1L)];
        using var model = TextClassifier.Load(files.TextClassifier, ZooModelFiles.Options);
        var input = new TextClassifierInput
        {
            InputIds = new DenseTensor<long>(ids, [1, Sequence]),
            AttentionMask = new DenseTensor<long>(mask, [1, Sequence]),
            TokenTypeIds = new DenseTensor<long>(segments, [1, Sequence]),
        };
        using var session = new InferenceSession(files.TextClassifier, new SessionOptions { IntraOpNumThreads = 1 });
        using var runOptions = new RunOptions();
        string[] inputNames = ["input_ids", "attention_mask", "token_type_ids"], outputNames = ["logits"];
        long[] shape = [1, Sequence];
        var values = new OrtValue[3];
        float sink = 0;

        long typed = BytesPerCall(() =>
        {
            using var result = model.Run(input);
        });
        long typedRead = BytesPerCall(() =>
        {
            using var result = model.Run(input);
            sink += result.Logits[0, 0];
        });
        long ortValues = BytesPerCall(() =>
        {
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var segmentsValue = OrtValue.CreateTensorValueFromMemory(segments, shape);
            (values[0], values[1], values[2]) = (idsValue, maskValue, segmentsValue);
            using var results = session.Run(runOptions, inputNames, values, outputNames);
            sink += results[0].GetTensorDataAsSpan<float>()[0];
        });
        long namedValues = BytesPerCall(() =>
        {
            using var results = session.Run(
            [
                NamedOnnxValue.CreateFromTensor("input_ids", input.InputIds),
                NamedOnnxValue.CreateFromTensor("attention_mask", input.AttentionMask),
                NamedOnnxValue.CreateFromTensor("token_type_ids", input.TokenTypeIds),
            ]);
            sink += results.First().AsTensor<float>()[0, 0];
        });

        Report(typed, typedRead, ortValues, namedValues, sink);
        Assert.True(typed <= ortValues, $"typed Run allocates {typed} B, the hand-written OrtValue call {ortValues} B");
        Assert.True(typedRead <= namedValues, $"typed Run + reading every output allocates {typedRead} B, NamedOnnxValue {namedValues} B");
    }

    private static long BytesPerCall(Action call)
    {
        for (int i = 0; i < Warmup; i++)
        {
            call();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Runs; i++)
        {
            call();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Runs;
    }

    private void Report(long typed, long typedRead, long ortValues, long namedValues, float sink) =>
        output.WriteLine($"typed Run {typed} B, + read outputs {typedRead} B; hand-written OrtValue {ortValues} B, NamedOnnxValue {namedValues} B (checksum {sink})");
}
