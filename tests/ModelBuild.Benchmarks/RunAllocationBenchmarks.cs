using BenchmarkDotNet.Attributes;

namespace ModelBuild.Benchmarks;

/// <summary>
/// Managed memory allocated by one run (and its time) of the generated wrapper against hand-written ONNX Runtime code,
/// on small zoo models where the per-run overhead is what there is to see (<see cref="RunCalls"/>).
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class RunAllocationBenchmarks
{
    private ZooModelFiles? _files;
    private RunCalls? _calls;

    public static IEnumerable<string> ModelNames => RunCalls.Models;

    [ParamsSource(nameof(ModelNames))]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _files = new ZooModelFiles();
        _calls = RunCalls.Create(Model, _files);
    }

    [Benchmark(Baseline = true)]
    public float HandWrittenOrtValue() => _calls!.OrtValues();

    [Benchmark]
    public float HandWrittenNamedOnnxValue() => _calls!.NamedOnnxValues();

    [Benchmark]
    public void Typed() => _calls!.Typed();

    [Benchmark]
    public float TypedReadingOutputs() => _calls!.TypedReadOutputs();

    [GlobalCleanup]
    public void Cleanup()
    {
        _calls?.Dispose();
        _files?.Dispose();
    }
}
