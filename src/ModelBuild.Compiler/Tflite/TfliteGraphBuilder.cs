using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Tflite.Schema;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tflite;

/// <summary>
/// Builds the ONNX graph of one TFLite subgraph. Quantized tensors (int8/uint8/int32 with a scale) become QDQ:
/// each operator reads them through DequantizeLinear and writes a quantized output through QuantizeLinear, so ONNX
/// Runtime can fuse the pairs into quantized kernels. NHWC operators run as NCHW between two transposes; a value
/// already transposed back from NCHW is not transposed again.
/// </summary>
internal sealed class TfliteGraphBuilder(TfliteConverter converter, SubGraph subgraph, int index, IReadOnlyList<string>? bound, int depth)
{
    private static readonly int[] ToNchw = [0, 3, 1, 2];
    private static readonly int[] ToNhwc = [0, 2, 3, 1];

    private readonly GraphProto _graph = new() { Name = index == 0 ? "tflite" : $"tflite_subgraph_{index}" };
    private readonly Dictionary<int, string> _values = [];
    private readonly Dictionary<int, string> _floats = [];
    private readonly Dictionary<int, string> _graphOutputNames = [];
    private readonly Dictionary<int, string> _quantizeLater = [];
    private readonly Dictionary<string, string> _nchw = new(StringComparer.Ordinal);
    private readonly HashSet<string> _producedHere = new(StringComparer.Ordinal);
    private int _operator = -1;

    public TfliteConverter Converter => converter;

    public int Depth => depth;

    public GraphProto Build()
    {
        int[] inputs = subgraph.GetInputsArray() ?? [];
        int[] outputs = subgraph.GetOutputsArray() ?? [];
        if (bound is not null && bound.Count != inputs.Length)
        {
            throw converter.Invalid($"subgraph {index} takes {inputs.Length} inputs but its IF operator passes {bound.Count}");
        }
        for (int i = 0; i < inputs.Length; i++)
        {
            Tensor tensor = Tensor(inputs[i]);
            if (bound is not null)
            {
                _values[inputs[i]] = bound[i];
                continue;
            }
            string name = tensor.Name ?? "";
            if (name.Length == 0 || !converter.Claim(name))
            {
                throw converter.Invalid($"input #{i} has an empty or duplicate name {ModelText.Quote(name)}");
            }
            _values[inputs[i]] = name;
            _graph.Input.Add(TfliteTensors.ValueInfo(name, tensor, Type(inputs[i])));
        }
        if (bound is null)
        {
            foreach (int output in outputs.Where(o => !_values.ContainsKey(o)).Distinct())
            {
                string name = Tensor(output).Name ?? "";
                if (name.Length == 0 || !converter.Claim(name))
                {
                    throw converter.Invalid($"output {ModelText.Quote(name)} has an empty or duplicate name");
                }
                _graphOutputNames[output] = name;
            }
        }

        for (int i = 0; i < subgraph.OperatorsLength; i++)
        {
            _operator = i;
            TfliteOperators.Convert(this, subgraph.Operators(i)!.Value, i);
            foreach (var (tensor, floatValue) in _quantizeLater)
            {
                var (scale, zeroPoint, axis) = Quantization(tensor);
                Node("QuantizeLinear", [floatValue, scale, zeroPoint], [_values[tensor]], axis is { } a ? [TfliteOps.Int("axis", a)] : []);
            }
            _quantizeLater.Clear();
        }

        foreach (int output in outputs)
        {
            string value = Value(output);
            string name = bound is null ? _graphOutputNames.GetValueOrDefault(output, value) : value;
            if (value != name || (bound is not null && !_producedHere.Contains(value)))
            {
                // A graph output must be a node's output: a passed-through input or a constant gets an Identity.
                name = bound is null ? name : converter.Unique(value + "_out");
                Node("Identity", [value], [name]);
            }
            _graph.Output.Add(TfliteTensors.ValueInfo(name, Tensor(output), Type(output)));
        }
        Prune();
        return _graph;
    }

    public Tensor Tensor(int tensor)
    {
        if (tensor < 0 || tensor >= subgraph.TensorsLength)
        {
            throw converter.Invalid($"operator {_operator} of subgraph {index} refers to tensor {tensor}, but the subgraph has {subgraph.TensorsLength}");
        }
        return subgraph.Tensors(tensor)!.Value;
    }

    public DataType Type(int tensor)
    {
        Tensor t = Tensor(tensor);
        if (TfliteTensors.OnnxType(t.Type) is not { } type)
        {
            throw new ModelBuildException(TfliteErrorCodes.UnsupportedTensor,
                $"TensorFlow Lite model '{converter.Path}': tensor {ModelText.Quote(t.Name ?? "")} has type {t.Type}, which ONNX Runtime " +
                "cannot run. Re-export the model without it.", converter.Path);
        }
        return type;
    }

    /// <summary>The tensor's value as stored (quantized tensors stay quantized).</summary>
    public string Value(int tensor)
    {
        if (_values.TryGetValue(tensor, out string? name))
        {
            return name;
        }
        Tensor t = Tensor(tensor);
        if (ConstantData(t) is not { } data)
        {
            throw converter.Invalid($"tensor {ModelText.Quote(t.Name ?? "")} is read before any operator writes it (operator {_operator} of subgraph {index})");
        }
        name = converter.Unique(t.Name ?? "const");
        _graph.Initializer.Add(TfliteTensors.Initializer(name, Type(tensor), TfliteTensors.Shape(t).Select(d => (long)d), data));
        return _values[tensor] = name;
    }

    /// <summary>The tensor as a real-valued input: quantized tensors through a DequantizeLinear.</summary>
    public string Float(int tensor)
    {
        if (!IsQuantized(tensor))
        {
            return Value(tensor);
        }
        if (!_floats.TryGetValue(tensor, out string? name))
        {
            var (scale, zeroPoint, axis) = Quantization(tensor);
            name = Node("DequantizeLinear", [Value(tensor), scale, zeroPoint], Temp(Value(tensor) + "_dequantized"),
                axis is { } a ? [TfliteOps.Int("axis", a)] : []);
            _floats[tensor] = name;
        }
        return name;
    }

    /// <summary>A constant with its axes permuted (weights from OHWI to OIHW), dequantized like <see cref="Float"/>.</summary>
    public string PermutedConstant(int tensor, int[] perm)
    {
        Tensor t = Tensor(tensor);
        int[] shape = TfliteTensors.Shape(t);
        if (ConstantData(t) is not { } data || shape.Length != perm.Length)
        {
            // Weights computed at run time: transpose them in the graph instead.
            return Node("Transpose", [Float(tensor)], Temp("weights"), [TfliteOps.Ints("perm", [.. perm.Select(p => (long)p)])]);
        }
        byte[] permuted = TfliteTensors.Permute(data, shape, perm, TfliteTensors.ElementSize(t.Type));
        string name = converter.Unique((t.Name ?? "weights") + "_transposed");
        _graph.Initializer.Add(TfliteTensors.Initializer(name, Type(tensor), perm.Select(p => (long)shape[p]), permuted));
        if (!IsQuantized(tensor))
        {
            return name;
        }
        var (scale, zeroPoint, axis) = Quantization(tensor);
        long? newAxis = axis is { } a ? Array.IndexOf(perm, (int)a) : null;
        return Node("DequantizeLinear", [name, scale, zeroPoint], Temp(name + "_dequantized"), newAxis is { } n ? [TfliteOps.Int("axis", n)] : []);
    }

    public bool IsConstant(int tensor) => ConstantData(Tensor(tensor)) is not null;

    /// <summary>The integer values of a constant tensor (axes, shapes, paddings); an operator needs them at conversion time.</summary>
    public long[] ConstantInts(int tensor, string what)
    {
        Tensor t = Tensor(tensor);
        byte[]? data = ConstantData(t);
        if (data is null || t.Type is not (TensorType.INT32 or TensorType.INT64))
        {
            throw new ModelBuildException(TfliteErrorCodes.UnsupportedOperator,
                $"TensorFlow Lite model '{converter.Path}': operator {_operator} takes its {what} from tensor {ModelText.Quote(t.Name ?? "")}, " +
                "which is computed at run time; only constant values are supported. Re-export the model with static shapes.", converter.Path);
        }
        return t.Type == TensorType.INT32
            ? [.. Enumerable.Range(0, data.Length / 4).Select(i => (long)BitConverter.ToInt32(data, i * 4))]
            : [.. Enumerable.Range(0, data.Length / 8).Select(i => BitConverter.ToInt64(data, i * 8))];
    }

    /// <summary>The name an operator writes a real-valued result of <paramref name="tensor"/> to (quantized afterwards if the tensor is).</summary>
    public string Output(int tensor, bool raw = false)
    {
        if (_values.ContainsKey(tensor))
        {
            throw converter.Invalid($"tensor {ModelText.Quote(Tensor(tensor).Name ?? "")} is written twice (operator {_operator} of subgraph {index})");
        }
        string name = _graphOutputNames.TryGetValue(tensor, out string? reserved) ? reserved : converter.Unique(Tensor(tensor).Name ?? "t");
        _values[tensor] = name;
        if (raw || !IsQuantized(tensor))
        {
            return name;
        }
        string real = Temp(name + "_float");
        _quantizeLater[tensor] = real;
        return real;
    }

    /// <summary>The NCHW form of an NHWC value, reusing the NCHW value it was transposed from.</summary>
    public string Nchw(string nhwc) =>
        _nchw.TryGetValue(nhwc, out string? nchw) ? nchw : Node("Transpose", [nhwc], Temp(nhwc + "_nchw"), [TfliteOps.Ints("perm", [.. ToNchw.Select(p => (long)p)])]);

    /// <summary>Writes an NCHW result back to the NHWC output tensor, remembering the pair.</summary>
    public void WriteNhwc(string nchw, string output)
    {
        Node("Transpose", [nchw], [output], [TfliteOps.Ints("perm", [.. ToNhwc.Select(p => (long)p)])]);
        _nchw[output] = nchw;
    }

    public string Temp(string hint) => converter.Unique(hint);

    public string Int64s(long[] values, bool scalar = false)
    {
        string name = converter.Unique("const");
        _graph.Initializer.Add(TfliteTensors.Int64s(name, values, scalar));
        return name;
    }

    public string FloatScalar(float value)
    {
        string name = converter.Unique("const");
        _graph.Initializer.Add(TfliteTensors.Floats(name, [value], scalar: true));
        return name;
    }

    public string Node(string opType, string[] inputs, string output, AttributeProto[]? attributes = null)
    {
        Node(opType, inputs, [output], attributes ?? []);
        return output;
    }

    public NodeProto Node(string opType, string[] inputs, string[] outputs, AttributeProto[]? attributes = null)
    {
        var node = new NodeProto { OpType = opType, Name = $"op{_operator}_{opType}_{_graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes ?? []);
        _graph.Node.Add(node);
        _producedHere.UnionWith(outputs);
        return node;
    }

    public bool IsQuantized(int tensor)
    {
        Tensor t = Tensor(tensor);
        return t.Type is TensorType.INT8 or TensorType.UINT8 or TensorType.INT32 or TensorType.INT16
            && t.Quantization is { ScaleLength: > 0 };
    }

    private (string Scale, string ZeroPoint, long? Axis) Quantization(int tensor)
    {
        Tensor t = Tensor(tensor);
        QuantizationParameters q = t.Quantization!.Value;
        if (t.Type == TensorType.INT16)
        {
            throw new ModelBuildException(TfliteErrorCodes.UnsupportedTensor,
                $"TensorFlow Lite model '{converter.Path}': tensor {ModelText.Quote(t.Name ?? "")} is int16-quantized, which ONNX opset {TfliteConverter.Opset} cannot express. Use int8 quantization.",
                converter.Path);
        }
        float[] scales = q.GetScaleArray() ?? [];
        long[] zeroPoints = q.GetZeroPointArray() ?? [];
        if (zeroPoints.Length != 0 && zeroPoints.Length != scales.Length)
        {
            throw converter.Invalid($"tensor {ModelText.Quote(t.Name ?? "")} has {scales.Length} scales but {zeroPoints.Length} zero points");
        }
        bool perAxis = scales.Length > 1;
        string scale = converter.Unique((t.Name ?? "q") + "_scale");
        _graph.Initializer.Add(TfliteTensors.Floats(scale, scales, scalar: !perAxis));
        byte[] raw = t.Type switch
        {
            TensorType.INT8 => [.. Enumerable.Range(0, scales.Length).Select(i => (byte)(sbyte)ZeroPoint(zeroPoints, i))],
            TensorType.UINT8 => [.. Enumerable.Range(0, scales.Length).Select(i => (byte)ZeroPoint(zeroPoints, i))],
            _ => [.. Enumerable.Range(0, scales.Length).SelectMany(i => BitConverter.GetBytes((int)ZeroPoint(zeroPoints, i)))],
        };
        string zeroPoint = converter.Unique((t.Name ?? "q") + "_zero_point");
        _graph.Initializer.Add(TfliteTensors.Initializer(zeroPoint, Type(tensor), perAxis ? [scales.Length] : [], raw));
        return (scale, zeroPoint, perAxis ? q.QuantizedDimension : null);
    }

    private static long ZeroPoint(long[] zeroPoints, int i) => zeroPoints.Length == 0 ? 0 : zeroPoints[i];

    /// <summary>The bytes of a constant tensor, checked against its shape; null for tensors computed at run time.</summary>
    private byte[]? ConstantData(Tensor t)
    {
        Model model = converter.Model;
        if (t.Buffer == 0)
        {
            return null;
        }
        if (t.Buffer >= model.BuffersLength)
        {
            throw converter.Invalid($"tensor {ModelText.Quote(t.Name ?? "")} refers to buffer {t.Buffer}, but the model has {model.BuffersLength}");
        }
        Schema.Buffer buffer = model.Buffers((int)t.Buffer)!.Value;
        if (buffer.Offset > 1)
        {
            throw new ModelBuildException(TfliteErrorCodes.LimitExceeded,
                $"TensorFlow Lite model '{converter.Path}' keeps its weights outside the flatbuffer (a model over 2 GB), which ModelBuild does not read. " +
                "Export the model to ONNX with external data instead.", converter.Path);
        }
        long count = TfliteTensors.Count(TfliteTensors.Shape(t));
        if (buffer.DataLength == 0)
        {
            return count == 0 ? [] : null; // an empty constant (a reshape to a scalar) has no bytes either
        }
        if (count < 0 || count * TfliteTensors.ElementSize(t.Type) != buffer.DataLength)
        {
            throw converter.Invalid($"constant tensor {ModelText.Quote(t.Name ?? "")} holds {buffer.DataLength} bytes, but its shape " +
                $"[{string.Join(",", TfliteTensors.Shape(t))}] needs {count * TfliteTensors.ElementSize(t.Type)} (sparse tensors are not converted)");
        }
        return buffer.GetDataArray();
    }

    /// <summary>Drops nodes and initializers nothing reads (transposes made redundant by reusing NCHW values).</summary>
    private void Prune()
    {
        var needed = new HashSet<string>(_graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        foreach (NodeProto node in _graph.Node.Reverse())
        {
            if (node.Output.Any(needed.Contains))
            {
                kept.Add(node);
                needed.UnionWith(Reads(node));
            }
        }
        kept.Reverse();
        _graph.Node.Clear();
        _graph.Node.AddRange(kept);
        var initializers = _graph.Initializer.Where(i => needed.Contains(i.Name)).ToList();
        _graph.Initializer.Clear();
        _graph.Initializer.AddRange(initializers);
    }

    private static IEnumerable<string> Reads(NodeProto node) =>
        node.Input.Concat(node.Attribute.Where(a => a.G is not null).SelectMany(a => a.G.Node.SelectMany(Reads)));
}
