using Google.FlatBuffers;
using ModelBuild.Compiler.Tflite.Schema;
using Buffer = ModelBuild.Compiler.Tflite.Schema.Buffer;
using TensorTable = ModelBuild.Compiler.Tflite.Schema.Tensor;
using OperatorTable = ModelBuild.Compiler.Tflite.Schema.Operator;

namespace ModelBuild.Compiler.Tests.Tflite;

/// <summary>Writes small TFLite flatbuffers in test code (through the generated schema code), the way a converter lays them out.</summary>
internal sealed class HandMadeTflite
{
    private readonly List<TensorSpec> _tensors = [];
    private readonly List<OperatorSpec> _operators = [];
    private readonly List<int> _inputs = [];
    private readonly List<int> _outputs = [];

    /// <summary>A graph input; <paramref name="signature"/> marks dynamic dimensions with -1 (shape_signature).</summary>
    public int Input(string name, int[] shape, TensorType type = TensorType.FLOAT32, Quantization? quantization = null, int[]? signature = null)
    {
        int tensor = Tensor(name, shape, type, quantization: quantization, signature: signature);
        _inputs.Add(tensor);
        return tensor;
    }

    public int Output(string name, int[] shape, TensorType type = TensorType.FLOAT32, Quantization? quantization = null, int[]? signature = null)
    {
        int tensor = Tensor(name, shape, type, quantization: quantization, signature: signature);
        _outputs.Add(tensor);
        return tensor;
    }

    public int Tensor(string name, int[] shape, TensorType type = TensorType.FLOAT32, byte[]? data = null, Quantization? quantization = null,
        int[]? signature = null)
    {
        _tensors.Add(new TensorSpec(name, shape, type, data, quantization, signature));
        return _tensors.Count - 1;
    }

    public int Floats(string name, int[] shape, float[] values) => Tensor(name, shape, data: [.. values.SelectMany(BitConverter.GetBytes)]);

    public int Ints(string name, int[] values, int[]? shape = null) =>
        Tensor(name, shape ?? [values.Length], TensorType.INT32, [.. values.SelectMany(BitConverter.GetBytes)]);

    public void Operator(BuiltinOperator code, int[] inputs, int[] outputs, BuiltinOptions optionsType = BuiltinOptions.NONE,
        Func<FlatBufferBuilder, int>? options = null, string? customCode = null) =>
        _operators.Add(new OperatorSpec(code, inputs, outputs, optionsType, options, customCode));

    public byte[] Build()
    {
        var b = new FlatBufferBuilder(1024);
        var codes = _operators.Select(o => (o.Code, o.CustomCode)).Distinct().ToList();

        var buffers = new List<Offset<Buffer>> { Buffer.CreateBuffer(b) };
        var tensors = new List<Offset<TensorTable>>();
        foreach (TensorSpec t in _tensors)
        {
            uint buffer = 0;
            if (t.Data is not null)
            {
                buffers.Add(Buffer.CreateBuffer(b, Buffer.CreateDataVectorBlock(b, t.Data)));
                buffer = (uint)buffers.Count - 1;
            }
            var quantization = t.Quantization is { } q
                ? QuantizationParameters.CreateQuantizationParameters(b,
                    scaleOffset: QuantizationParameters.CreateScaleVector(b, q.Scales),
                    zero_pointOffset: QuantizationParameters.CreateZeroPointVector(b, q.ZeroPoints),
                    quantized_dimension: q.Axis)
                : default;
            var signature = t.Signature is null ? default : TensorTable.CreateShapeSignatureVector(b, t.Signature);
            tensors.Add(TensorTable.CreateTensor(b, TensorTable.CreateShapeVector(b, t.Shape), t.Type, buffer, b.CreateString(t.Name), quantization,
                shape_signatureOffset: signature));
        }

        var operators = _operators.Select(o => OperatorTable.CreateOperator(b, (uint)codes.IndexOf((o.Code, o.CustomCode)),
            OperatorTable.CreateInputsVector(b, o.Inputs), OperatorTable.CreateOutputsVector(b, o.Outputs),
            o.OptionsType, o.Options?.Invoke(b) ?? 0)).ToArray();
        var subgraph = SubGraph.CreateSubGraph(b, SubGraph.CreateTensorsVector(b, [.. tensors]), SubGraph.CreateInputsVector(b, [.. _inputs]),
            SubGraph.CreateOutputsVector(b, [.. _outputs]), SubGraph.CreateOperatorsVector(b, operators), b.CreateString("main"));
        var opcodes = codes.Select(c => OperatorCode.CreateOperatorCode(b, (sbyte)Math.Min((int)c.Code, 127),
            c.CustomCode is null ? default : b.CreateString(c.CustomCode), 1, c.Code)).ToArray();
        var model = Model.CreateModel(b, 3, Model.CreateOperatorCodesVector(b, opcodes), Model.CreateSubgraphsVector(b, [subgraph]),
            b.CreateString("hand-made"), Model.CreateBuffersVector(b, [.. buffers]));
        Model.FinishModelBuffer(b, model);
        return b.SizedByteArray();
    }

    public sealed record Quantization(float[] Scales, long[] ZeroPoints, int Axis = 0);

    private sealed record TensorSpec(string Name, int[] Shape, TensorType Type, byte[]? Data, Quantization? Quantization, int[]? Signature);

    private sealed record OperatorSpec(BuiltinOperator Code, int[] Inputs, int[] Outputs, BuiltinOptions OptionsType,
        Func<FlatBufferBuilder, int>? Options, string? CustomCode);
}
