using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ZooModels;

namespace ModelBuild.Benchmarks;

/// <summary>
/// <see cref="RunCalls"/> for text-classifier: three int64 inputs [batch, sequence] (BERT-style), one output; batch 1,
/// 16 tokens.
/// </summary>
internal sealed class TextClassifierRunCalls : RunCalls
{
    private const int Sequence = 16;
    private readonly long[] _ids = [.. Enumerable.Range(0, Sequence).Select(i => (long)(i * 7 % 64))];
    private readonly long[] _mask = [.. Enumerable.Repeat(1L, Sequence)];
    private readonly long[] _segments = [.. Enumerable.Range(0, Sequence).Select(i => i < Sequence / 2 ? 0L : 1L)];
    private readonly TextClassifier _model;
    private readonly TextClassifierInput _input;
    private readonly SessionOptions _sessionOptions = new() { IntraOpNumThreads = 1 };
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private readonly string[] _outputNames = ["logits"];
    private readonly long[] _shape = [1, Sequence];
    private readonly OrtValue[] _values = new OrtValue[3];

    public TextClassifierRunCalls(string path)
    {
        _model = TextClassifier.Load(path, ZooModelFiles.Options);
        _input = new TextClassifierInput
        {
            InputIds = new DenseTensor<long>(_ids, [1, Sequence]),
            AttentionMask = new DenseTensor<long>(_mask, [1, Sequence]),
            TokenTypeIds = new DenseTensor<long>(_segments, [1, Sequence]),
        };
        _session = new InferenceSession(path, _sessionOptions);
    }

    public override void Typed()
    {
        using var output = _model.Run(_input);
    }

    public override float TypedReadOutputs()
    {
        using var output = _model.Run(_input);
        return output.Logits[0, 0];
    }

    public override float OrtValues()
    {
        using var ids = OrtValue.CreateTensorValueFromMemory(_ids, _shape);
        using var mask = OrtValue.CreateTensorValueFromMemory(_mask, _shape);
        using var segments = OrtValue.CreateTensorValueFromMemory(_segments, _shape);
        (_values[0], _values[1], _values[2]) = (ids, mask, segments);
        using var outputs = _session.Run(_runOptions, _inputNames, _values, _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    public override float NamedOnnxValues()
    {
        using var outputs = _session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", _input.InputIds),
            NamedOnnxValue.CreateFromTensor("attention_mask", _input.AttentionMask),
            NamedOnnxValue.CreateFromTensor("token_type_ids", _input.TokenTypeIds),
        ]);
        return outputs[0].AsTensor<float>()[0, 0];
    }

    public override void Dispose()
    {
        _model.Dispose();
        _session.Dispose();
        _sessionOptions.Dispose();
        _runOptions.Dispose();
    }
}
