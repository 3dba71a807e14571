using ModelBuild.Benchmarks;
using Xunit.Abstractions;

namespace ModelBuild.Runtime.Tests;

/// <summary>
/// Managed bytes allocated per run by the generated wrappers against the hand-written ONNX Runtime calls they replace
/// (<see cref="RunCalls"/>; counted on the calling thread: exact, not timed). ./build.sh bench measures the same with
/// BenchmarkDotNet. Not run in parallel with other tests: their telemetry listeners would make these runs allocate.
/// </summary>
[Collection(nameof(AllocationTests))]
[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationTests(ZooModelFiles files, ITestOutputHelper output) : IClassFixture<ZooModelFiles>
{
    // Long enough for the JIT's tiering to settle (tier-1 with dynamic PGO can stack-allocate objects that do not
    // escape, in ONNX Runtime's code as in ours), as in BenchmarkDotNet's steady state.
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1.5);
    private const int Runs = 1000;

    public static TheoryData<string> Models => [.. RunCalls.Models];

    [Theory]
    [MemberData(nameof(Models))]
    public void TypedRun_AllocatesNoMoreThanHandWrittenOnnxRuntimeCalls(string model)
    {
        using var calls = RunCalls.Create(model, files);
        float checksum = 0;
        long typed = BytesPerCall(calls.Typed);
        long typedRead = BytesPerCall(() => checksum += calls.TypedReadOutputs());
        long ortValues = BytesPerCall(() => checksum += calls.OrtValues());
        long namedValues = BytesPerCall(() => checksum += calls.NamedOnnxValues());

        output.WriteLine($"{model}: typed Run {typed} B, reading every output {typedRead} B; hand-written OrtValue {ortValues} B, NamedOnnxValue {namedValues} B (checksum {checksum})");
        Assert.True(typed <= ortValues, $"typed Run allocates {typed} B, the hand-written OrtValue call {ortValues} B");
        Assert.True(typedRead <= namedValues, $"typed Run reading every output allocates {typedRead} B, NamedOnnxValue {namedValues} B");
    }

    private static long BytesPerCall(Action call)
    {
        var warmup = System.Diagnostics.Stopwatch.StartNew();
        while (warmup.Elapsed < Warmup)
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
}
