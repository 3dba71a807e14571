using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ZooModels;

namespace ModelBuild.Benchmarks;

/// <summary><see cref="RunCalls"/> for iris-classifier: one float input [batch, 4], two outputs; batch 1.</summary>
internal sealed class IrisRunCalls : RunCalls
{
    private readonly float[] _features = [5.1f, 3.5f, 1.4f, 0.2f];
    private readonly IrisClassifier _model;
    private readonly IrisClassifierInput _input;
    private readonly SessionOptions _sessionOptions = new() { IntraOpNumThreads = 1 };
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames = ["features"];
    private readonly string[] _outputNames = ["probabilities", "label"];
    private readonly long[] _shape = [1, 4];
    private readonly OrtValue[] _values = new OrtValue[1];

    public IrisRunCalls(string path)
    {
        _model = IrisClassifier.Load(path, ZooModelFiles.Options);
        _input = new IrisClassifierInput { Features = new DenseTensor<float>(_features, [1, 4]) };
        _session = new InferenceSession(path, _sessionOptions);
    }

    public override void Typed()
    {
        using var output = _model.Run(_input);
    }

    public override float TypedReadOutputs()
    {
        using var output = _model.Run(_input);
        return output.Probabilities[0, 0] + output.Label[0];
    }

    public override float OrtValues()
    {
        using var features = OrtValue.CreateTensorValueFromMemory(_features, _shape);
        _values[0] = features;
        using var outputs = _session.Run(_runOptions, _inputNames, _values, _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>()[0] + outputs[1].GetTensorDataAsSpan<long>()[0];
    }

    public override float NamedOnnxValues()
    {
        using var outputs = _session.Run([NamedOnnxValue.CreateFromTensor("features", _input.Features)]);
        return outputs[0].AsTensor<float>()[0, 0] + outputs[1].AsTensor<long>()[0];
    }

    public override void Dispose()
    {
        _model.Dispose();
        _session.Dispose();
        _sessionOptions.Dispose();
        _runOptions.Dispose();
    }
}
