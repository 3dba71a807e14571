using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Benchmarks;

/// <summary>Latency of one inference (batch 1) per model and variant, in ONNX Runtime on one thread.</summary>
public class InferenceBenchmarks
{
    private InferenceSession? _session;
    private OrtValue? _input;
    private RunOptions? _runOptions;
    private string[] _inputNames = [];
    private string[] _outputNames = [];

    public static IEnumerable<string> ModelNames => BenchModels.All.Select(m => m.Name);

    public static IEnumerable<string> VariantNames => Variants.All.Select(v => v.Name);

    [ParamsSource(nameof(ModelNames))]
    public string Model { get; set; } = "";

    [ParamsSource(nameof(VariantNames))]
    public string Variant { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        BenchModel model = BenchModels.Get(Model);
        _session = OrtSessions.Create(BenchModels.PathOf(model, Variant));
        _input = model.CreateInput(0);
        _runOptions = new RunOptions();
        _inputNames = [model.InputName];
        _outputNames = [model.OutputName];
    }

    [Benchmark]
    public void Inference()
    {
        using var outputs = _session!.Run(_runOptions!, _inputNames, [_input!], _outputNames);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session?.Dispose();
        _input?.Dispose();
        _runOptions?.Dispose();
    }
}
