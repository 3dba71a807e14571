using ModelBuild.Compiler.Tflite.Schema;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using static ModelBuild.Compiler.Tflite.TfliteOps;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tflite;

/// <summary>The TFLite builtin operators the converter supports, each as the ONNX (opset 13) nodes that compute it.</summary>
internal static class TfliteOperators
{
    private static readonly Dictionary<BuiltinOperator, Action<TfliteOperator>> Converters = new()
    {
        [BuiltinOperator.ADD] = op => Binary(op, "Add", op.Options<AddOptions>(BuiltinOptions.AddOptions)?.FusedActivationFunction),
        [BuiltinOperator.SUB] = op => Binary(op, "Sub", op.Options<SubOptions>(BuiltinOptions.SubOptions)?.FusedActivationFunction),
        [BuiltinOperator.MUL] = op => Binary(op, "Mul", op.Options<MulOptions>(BuiltinOptions.MulOptions)?.FusedActivationFunction),
        [BuiltinOperator.DIV] = op => Binary(op, "Div", op.Options<DivOptions>(BuiltinOptions.DivOptions)?.FusedActivationFunction),
        [BuiltinOperator.MAXIMUM] = op => Binary(op, "Max", null),
        [BuiltinOperator.MINIMUM] = op => Binary(op, "Min", null),
        [BuiltinOperator.POW] = op => Binary(op, "Pow", null),
        [BuiltinOperator.SQUARED_DIFFERENCE] = op =>
        {
            string difference = op.Builder.Node("Sub", [op.In(0), op.In(1)], op.Builder.Temp("difference"));
            op.Builder.Node("Mul", [difference, difference], op.Out());
        },
        [BuiltinOperator.GREATER] = op => Compare(op, "Greater"),
        [BuiltinOperator.GREATER_EQUAL] = op => Compare(op, "GreaterOrEqual"),
        [BuiltinOperator.LESS] = op => Compare(op, "Less"),
        [BuiltinOperator.LESS_EQUAL] = op => Compare(op, "LessOrEqual"),
        [BuiltinOperator.EQUAL] = op => Compare(op, "Equal"),
        [BuiltinOperator.NOT_EQUAL] = op => op.Builder.Node("Not", [op.Builder.Node("Equal", [op.In(0), op.In(1)], op.Builder.Temp("equal"))], op.Out(raw: true)),
        [BuiltinOperator.LOGISTIC] = op => Unary(op, "Sigmoid"),
        [BuiltinOperator.TANH] = op => Unary(op, "Tanh"),
        [BuiltinOperator.RELU] = op => Unary(op, "Relu"),
        [BuiltinOperator.RELU6] = op => Clip(op.Builder, op.In(0), 0, 6, op.Out()),
        [BuiltinOperator.RELU_N1_TO_1] = op => Clip(op.Builder, op.In(0), -1, 1, op.Out()),
        [BuiltinOperator.PRELU] = op => op.Builder.Node("PRelu", [op.In(0), op.In(1)], op.Out()),
        [BuiltinOperator.LEAKY_RELU] = op => op.Builder.Node("LeakyRelu", [op.In(0)], op.Out(),
            [Float("alpha", op.Options<LeakyReluOptions>(BuiltinOptions.LeakyReluOptions)?.Alpha ?? 0.2f)]),
        [BuiltinOperator.HARD_SWISH] = op => op.Builder.Node("Mul", [op.In(0),
            op.Builder.Node("HardSigmoid", [op.In(0)], op.Builder.Temp("hard_sigmoid"), [Float("alpha", 1f / 6), Float("beta", 0.5f)])], op.Out()),
        [BuiltinOperator.EXP] = op => Unary(op, "Exp"),
        [BuiltinOperator.LOG] = op => Unary(op, "Log"),
        [BuiltinOperator.SQRT] = op => Unary(op, "Sqrt"),
        [BuiltinOperator.RSQRT] = op => op.Builder.Node("Reciprocal", [op.Builder.Node("Sqrt", [op.In(0)], op.Builder.Temp("sqrt"))], op.Out()),
        [BuiltinOperator.ABS] = op => Unary(op, "Abs"),
        [BuiltinOperator.NEG] = op => Unary(op, "Neg"),
        [BuiltinOperator.FLOOR] = op => Unary(op, "Floor"),
        [BuiltinOperator.CEIL] = op => Unary(op, "Ceil"),
        [BuiltinOperator.SQUARE] = op => op.Builder.Node("Mul", [op.In(0), op.In(0)], op.Out()),
        [BuiltinOperator.SOFTMAX] = Softmax,
        [BuiltinOperator.CONV_2D] = Conv2D,
        [BuiltinOperator.DEPTHWISE_CONV_2D] = DepthwiseConv2D,
        [BuiltinOperator.MAX_POOL_2D] = op => Pool(op, "MaxPool"),
        [BuiltinOperator.AVERAGE_POOL_2D] = op => Pool(op, "AveragePool"),
        [BuiltinOperator.FULLY_CONNECTED] = FullyConnected,
        [BuiltinOperator.BATCH_MATMUL] = BatchMatMul,
        [BuiltinOperator.RESHAPE] = Reshape,
        [BuiltinOperator.SQUEEZE] = op => op.Builder.Node("Squeeze",
            op.Options<SqueezeOptions>(BuiltinOptions.SqueezeOptions)?.GetSqueezeDimsArray() is { Length: > 0 } dims
                ? [op.In(0), op.Builder.Int64s([.. dims.Select(d => (long)d)])]
                : [op.In(0)], op.Out()),
        [BuiltinOperator.EXPAND_DIMS] = op => op.Builder.Node("Unsqueeze", [op.In(0), op.Builder.Int64s(op.Ints(1, "axis"))], op.Out()),
        [BuiltinOperator.TRANSPOSE] = op => op.Builder.Node("Transpose", [op.In(0)], op.Out(), [Ints("perm", op.Ints(1, "permutation"))]),
        [BuiltinOperator.CONCATENATION] = Concatenation,
        [BuiltinOperator.PAD] = Pad,
        [BuiltinOperator.PADV2] = Pad,
        [BuiltinOperator.MEAN] = op => Reduce(op, "ReduceMean"),
        [BuiltinOperator.SUM] = op => Reduce(op, "ReduceSum"),
        [BuiltinOperator.REDUCE_MAX] = op => Reduce(op, "ReduceMax"),
        [BuiltinOperator.REDUCE_MIN] = op => Reduce(op, "ReduceMin"),
        [BuiltinOperator.REDUCE_PROD] = op => Reduce(op, "ReduceProd"),
        [BuiltinOperator.STRIDED_SLICE] = StridedSlice,
        [BuiltinOperator.SLICE] = Slice,
        [BuiltinOperator.GATHER] = Gather,
        [BuiltinOperator.SPLIT] = op => Split(op, data: 1, axis: 0, sizes: null),
        [BuiltinOperator.SPLIT_V] = op => Split(op, data: 0, axis: 2, sizes: 1),
        [BuiltinOperator.PACK] = Pack,
        [BuiltinOperator.UNPACK] = Unpack,
        [BuiltinOperator.ARG_MAX] = op => ArgExtreme(op, "ArgMax"),
        [BuiltinOperator.ARG_MIN] = op => ArgExtreme(op, "ArgMin"),
        [BuiltinOperator.CAST] = op => op.Builder.Node("Cast", [op.Raw(0)], op.Out(raw: true), [Int("to", (long)op.Builder.Type(op.OutputIndex(0)))]),
        [BuiltinOperator.QUANTIZE] = op => op.Builder.Node("Identity", [op.In(0)], op.Out()), // the output's QuantizeLinear does the work
        [BuiltinOperator.DEQUANTIZE] = op => op.Builder.Node(op.InputTensor(0).Type == TensorType.FLOAT16 ? "Cast" : "Identity", [op.In(0)], op.Out(),
            op.InputTensor(0).Type == TensorType.FLOAT16 ? [Int("to", (long)DataType.Float)] : []),
        [BuiltinOperator.IF] = If,
        [BuiltinOperator.RESIZE_BILINEAR] = op => TfliteImageOperators.Resize(op, nearest: false),
        [BuiltinOperator.DEPTH_TO_SPACE] = op => TfliteImageOperators.DepthSpace(op, toSpace: true),
        [BuiltinOperator.SPACE_TO_DEPTH] = op => TfliteImageOperators.DepthSpace(op, toSpace: false),
        [BuiltinOperator.MIRROR_PAD] = TfliteImageOperators.MirrorPad,
        [BuiltinOperator.TRANSPOSE_CONV] = TfliteImageOperators.TransposeConv,
        [BuiltinOperator.RESIZE_NEAREST_NEIGHBOR] = op => TfliteImageOperators.Resize(op, nearest: true),
    };

    /// <summary>Names of the supported operators, for docs and the MB1112 message.</summary>
    public static IReadOnlyList<string> Supported { get; } = [.. Converters.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal)];

    public static void Convert(TfliteGraphBuilder builder, Operator op, int index)
    {
        TfliteConverter converter = builder.Converter;
        if (op.OpcodeIndex >= converter.Model.OperatorCodesLength)
        {
            throw converter.Invalid($"operator {index} refers to operator code {op.OpcodeIndex}, but the model has {converter.Model.OperatorCodesLength}");
        }
        OperatorCode opcode = converter.Model.OperatorCodes((int)op.OpcodeIndex)!.Value;
        // TFLite's own rule: the larger of the two fields (old files set only the byte-sized one).
        var code = (BuiltinOperator)Math.Max((int)opcode.BuiltinCode, opcode.DeprecatedBuiltinCode);
        if (!Converters.TryGetValue(code, out var convert))
        {
            string name = code == BuiltinOperator.CUSTOM
                ? $"CUSTOM {ModelBuild.Compiler.Diagnostics.ModelText.Quote(opcode.CustomCode ?? "")}"
                : Enum.IsDefined(code) ? code.ToString() : $"builtin operator {(int)code}";
            throw new ModelBuildException(TfliteErrorCodes.UnsupportedOperator,
                $"TensorFlow Lite model '{converter.Path}': operator {index} is {name}, which the converter does not support. " +
                $"Supported: {string.Join(", ", Supported)}. Export the original model to ONNX instead (docs/formats.md).", converter.Path);
        }
        convert(new TfliteOperator(builder, op, index, code));
    }

    private static void Unary(TfliteOperator op, string onnx) => op.Builder.Node(onnx, [op.In(0)], op.Out());

    private static void Compare(TfliteOperator op, string onnx) => op.Builder.Node(onnx, [op.In(0), op.In(1)], op.Out(raw: true));

    private static void Binary(TfliteOperator op, string onnx, ActivationFunctionType? activation) =>
        Fused(op, activation, target => op.Builder.Node(onnx, [op.In(0), op.In(1)], target));

    /// <summary>Runs <paramref name="emit"/> into the output, through the fused activation when there is one.</summary>
    private static void Fused(TfliteOperator op, ActivationFunctionType? activation, Func<string, string> emit)
    {
        string output = op.Out();
        if (activation is null or ActivationFunctionType.NONE)
        {
            emit(output);
            return;
        }
        Activate(op, emit(op.Builder.Temp(output + "_linear")), activation.Value, output);
    }

    internal static string Activate(TfliteOperator op, string input, ActivationFunctionType activation, string output) => activation switch
    {
        ActivationFunctionType.NONE => op.Builder.Node("Identity", [input], output),
        ActivationFunctionType.RELU => op.Builder.Node("Relu", [input], output),
        ActivationFunctionType.RELU6 => Clip(op.Builder, input, 0, 6, output),
        ActivationFunctionType.RELU_N1_TO_1 => Clip(op.Builder, input, -1, 1, output),
        ActivationFunctionType.TANH => op.Builder.Node("Tanh", [input], output),
        _ => throw op.Unsupported($"the fused activation {activation}"),
    };

    private static string Clip(TfliteGraphBuilder builder, string input, float min, float max, string output) =>
        builder.Node("Clip", [input, builder.FloatScalar(min), builder.FloatScalar(max)], output);

    private static void Softmax(TfliteOperator op)
    {
        float beta = op.Options<SoftmaxOptions>(BuiltinOptions.SoftmaxOptions)?.Beta ?? 1f;
        string input = beta == 1f ? op.In(0) : op.Builder.Node("Mul", [op.In(0), op.Builder.FloatScalar(beta)], op.Builder.Temp("scaled"));
        op.Builder.Node("Softmax", [input], op.Out(), [Int("axis", -1)]);
    }

    private static AttributeProto[] AutoPad(Padding padding) =>
        [String("auto_pad", padding == Schema.Padding.SAME ? "SAME_UPPER" : "VALID")];

    private static void Conv2D(TfliteOperator op)
    {
        Conv2DOptions? options = op.Options<Conv2DOptions>(BuiltinOptions.Conv2DOptions);
        int[] filter = TfliteTensors.Shape(op.InputTensor(1)); // OHWI
        int channels = TfliteTensors.Shape(op.InputTensor(0)) is [_, _, _, int c] ? c : filter.ElementAtOrDefault(3);
        if (filter.Length != 4 || filter[3] <= 0 || channels % filter[3] != 0)
        {
            throw op.Unsupported($"a filter of shape [{string.Join(",", filter)}] for {channels} input channels");
        }
        Convolution(op, op.Builder.PermutedConstant(op.Input(1), [0, 3, 1, 2]), group: channels / filter[3],
            options?.Padding ?? Schema.Padding.SAME, options?.StrideH ?? 1, options?.StrideW ?? 1,
            options?.DilationHFactor ?? 1, options?.DilationWFactor ?? 1, options?.FusedActivationFunction);
    }

    private static void DepthwiseConv2D(TfliteOperator op)
    {
        DepthwiseConv2DOptions? options = op.Options<DepthwiseConv2DOptions>(BuiltinOptions.DepthwiseConv2DOptions);
        int channels = TfliteTensors.Shape(op.InputTensor(0)) is [_, _, _, int c] ? c : 0;
        if (channels <= 0)
        {
            throw op.Unsupported("an input that is not NHWC with known channels");
        }
        // Filter [1, H, W, C × multiplier] becomes [C × multiplier, 1, H, W], one group per input channel.
        Convolution(op, op.Builder.PermutedConstant(op.Input(1), [3, 0, 1, 2]), group: channels,
            options?.Padding ?? Schema.Padding.SAME, options?.StrideH ?? 1, options?.StrideW ?? 1,
            options?.DilationHFactor ?? 1, options?.DilationWFactor ?? 1, options?.FusedActivationFunction);
    }

    private static void Convolution(TfliteOperator op, string weights, int group, Padding padding, int strideH, int strideW,
        int dilationH, int dilationW, ActivationFunctionType? activation)
    {
        TfliteGraphBuilder b = op.Builder;
        string[] inputs = op.Has(2) ? [b.Nchw(op.In(0)), weights, op.In(2)] : [b.Nchw(op.In(0)), weights];
        string nchw = b.Node("Conv", inputs, b.Temp("conv_nchw"),
            [.. AutoPad(padding), Ints("strides", [strideH, strideW]), Ints("dilations", [dilationH, dilationW]), Int("group", group)]);
        if (activation is not (null or ActivationFunctionType.NONE))
        {
            nchw = Activate(op, nchw, activation.Value, b.Temp("activated_nchw"));
        }
        b.WriteNhwc(nchw, op.Out());
    }

    private static void Pool(TfliteOperator op, string onnx)
    {
        Pool2DOptions options = op.Options<Pool2DOptions>(BuiltinOptions.Pool2DOptions) ?? throw op.Unsupported("no pool options");
        TfliteGraphBuilder b = op.Builder;
        string nchw = b.Node(onnx, [b.Nchw(op.In(0))], b.Temp("pool_nchw"),
            [.. AutoPad(options.Padding), Ints("kernel_shape", [options.FilterHeight, options.FilterWidth]),
             Ints("strides", [options.StrideH, options.StrideW])]);
        if (options.FusedActivationFunction != ActivationFunctionType.NONE)
        {
            nchw = Activate(op, nchw, options.FusedActivationFunction, b.Temp("activated_nchw"));
        }
        b.WriteNhwc(nchw, op.Out());
    }

    private static void FullyConnected(TfliteOperator op)
    {
        FullyConnectedOptions? options = op.Options<FullyConnectedOptions>(BuiltinOptions.FullyConnectedOptions);
        if (options?.WeightsFormat is FullyConnectedOptionsWeightsFormat.SHUFFLED4x16INT8)
        {
            throw op.Unsupported("shuffled int8 weights");
        }
        TfliteGraphBuilder b = op.Builder;
        int[] weights = TfliteTensors.Shape(op.InputTensor(1)); // [units, depth]
        if (weights.Length != 2)
        {
            throw op.Unsupported($"weights of shape [{string.Join(",", weights)}]");
        }
        string input = op.In(0);
        if (op.Rank(0) != 2)
        {
            input = b.Node("Reshape", [input, b.Int64s([-1, weights[1]])], b.Temp("flattened"));
        }
        string[] inputs = op.Has(2) ? [input, op.In(1), op.In(2)] : [input, op.In(1)];
        int[] outputShape = TfliteTensors.Signature(b.Tensor(op.OutputIndex(0)));
        bool reshapeBack = options?.KeepNumDims == true && outputShape.Length != 2;
        Fused(op, options?.FusedActivationFunction, target =>
        {
            string product = b.Node("Gemm", inputs, reshapeBack ? b.Temp("gemm") : target, [Int("transB", 1)]);
            return reshapeBack ? b.Node("Reshape", [product, b.Int64s([.. outputShape.Select(d => (long)d)])], target) : product;
        });
    }

    private static void BatchMatMul(TfliteOperator op)
    {
        BatchMatMulOptions? options = op.Options<BatchMatMulOptions>(BuiltinOptions.BatchMatMulOptions);
        string a = Adjoint(op, 0, options?.AdjX == true);
        string b = Adjoint(op, 1, options?.AdjY == true);
        op.Builder.Node("MatMul", [a, b], op.Out());
    }

    private static string Adjoint(TfliteOperator op, int input, bool adjoint)
    {
        if (!adjoint)
        {
            return op.In(input);
        }
        int rank = op.Rank(input);
        long[] perm = [.. Enumerable.Range(0, rank).Select(i => (long)(i == rank - 2 ? rank - 1 : i == rank - 1 ? rank - 2 : i))];
        return op.Builder.Node("Transpose", [op.In(input)], op.Builder.Temp("adjoint"), [Ints("perm", perm)]);
    }

    private static void Reshape(TfliteOperator op)
    {
        TfliteGraphBuilder b = op.Builder;
        string shape;
        if (op.Has(1) && b.IsConstant(op.Input(1)))
        {
            shape = b.Int64s(op.Ints(1, "shape"));
        }
        else if (op.Has(1))
        {
            shape = b.Node("Cast", [op.Raw(1)], b.Temp("shape"), [Int("to", (long)DataType.Int64)]);
        }
        else
        {
            int[] newShape = op.Options<ReshapeOptions>(BuiltinOptions.ReshapeOptions)?.GetNewShapeArray()
                ?? TfliteTensors.Signature(b.Tensor(op.OutputIndex(0)));
            shape = b.Int64s([.. newShape.Select(d => (long)d)]);
        }
        b.Node("Reshape", [op.In(0), shape], op.Out());
    }

    private static void Concatenation(TfliteOperator op)
    {
        ConcatenationOptions? options = op.Options<ConcatenationOptions>(BuiltinOptions.ConcatenationOptions);
        string[] inputs = [.. Enumerable.Range(0, op.Inputs.Length).Select(op.In)];
        Fused(op, options?.FusedActivationFunction, target => op.Builder.Node("Concat", inputs, target, [Int("axis", options?.Axis ?? 0)]));
    }

    private static void Pad(TfliteOperator op)
    {
        long[] paddings = op.Ints(1, "paddings"); // [rank, 2]: before and after per axis
        long[] pads = [.. paddings.Where((_, i) => i % 2 == 0), .. paddings.Where((_, i) => i % 2 == 1)];
        string[] inputs = op.Has(2)
            ? [op.In(0), op.Builder.Int64s(pads), op.Builder.Node("Reshape", [op.In(2), op.Builder.Int64s([])], op.Builder.Temp("pad_value"))]
            : [op.In(0), op.Builder.Int64s(pads)];
        op.Builder.Node("Pad", inputs, op.Out());
    }

    private static void Reduce(TfliteOperator op, string onnx)
    {
        long[] axes = op.Ints(1, "axes");
        long keepDims = op.Options<ReducerOptions>(BuiltinOptions.ReducerOptions)?.KeepDims == true ? 1 : 0;
        // Opset 13: ReduceSum takes its axes as an input, the others as an attribute.
        _ = onnx == "ReduceSum"
            ? op.Builder.Node(onnx, [op.In(0), op.Builder.Int64s(axes)], op.Out(), [Int("keepdims", keepDims)])
            : op.Builder.Node(onnx, [op.In(0)], op.Out(), [Ints("axes", axes), Int("keepdims", keepDims)]);
    }

    private static void StridedSlice(TfliteOperator op)
    {
        StridedSliceOptions? options = op.Options<StridedSliceOptions>(BuiltinOptions.StridedSliceOptions);
        if (options is { } o && (o.EllipsisMask != 0 || o.NewAxisMask != 0))
        {
            throw op.Unsupported("an ellipsis or new-axis mask");
        }
        long[] begin = op.Ints(1, "begin"), end = op.Ints(2, "end");
        long[] strides = op.Has(3) ? op.Ints(3, "strides") : [.. begin.Select(_ => 1L)];
        if (end.Length != begin.Length || strides.Length != begin.Length)
        {
            throw op.Unsupported("begin, end and strides of different lengths");
        }
        int beginMask = options?.BeginMask ?? 0, endMask = options?.EndMask ?? 0, shrink = options?.ShrinkAxisMask ?? 0;
        var squeeze = new List<long>();
        for (int axis = 0; axis < begin.Length; axis++)
        {
            if (options?.Offset == true)
            {
                end[axis] += begin[axis];
            }
            if ((beginMask >> axis & 1) != 0)
            {
                begin[axis] = strides[axis] > 0 ? 0 : long.MaxValue;
            }
            if ((endMask >> axis & 1) != 0)
            {
                end[axis] = strides[axis] > 0 ? long.MaxValue : long.MinValue;
            }
            if ((shrink >> axis & 1) != 0)
            {
                end[axis] = begin[axis] == -1 ? long.MaxValue : begin[axis] + 1;
                strides[axis] = 1;
                squeeze.Add(axis);
            }
        }
        TfliteGraphBuilder b = op.Builder;
        long[] axes = [.. Enumerable.Range(0, begin.Length).Select(a => (long)a)];
        string[] inputs = [op.In(0), b.Int64s(begin), b.Int64s(end), b.Int64s(axes), b.Int64s(strides)];
        _ = squeeze.Count == 0
            ? b.Node("Slice", inputs, op.Out())
            : b.Node("Squeeze", [b.Node("Slice", inputs, b.Temp("sliced")), b.Int64s([.. squeeze])], op.Out());
    }

    private static void Slice(TfliteOperator op)
    {
        long[] begin = op.Ints(1, "begin"), size = op.Ints(2, "size");
        long[] end = [.. begin.Zip(size, (start, count) => count < 0 ? long.MaxValue : start + count)];
        TfliteGraphBuilder b = op.Builder;
        b.Node("Slice", [op.In(0), b.Int64s(begin), b.Int64s(end)], op.Out());
    }

    private static void Gather(TfliteOperator op)
    {
        GatherOptions? options = op.Options<GatherOptions>(BuiltinOptions.GatherOptions);
        if (options?.BatchDims is > 0)
        {
            throw op.Unsupported("batch_dims");
        }
        op.Builder.Node("Gather", [op.In(0), op.Raw(1)], op.Out(), [Int("axis", options?.Axis ?? 0)]);
    }

    private static void Split(TfliteOperator op, int data, int axis, int? sizes)
    {
        TfliteGraphBuilder b = op.Builder;
        long[] axes = op.Ints(axis, "axis");
        if (axes.Length != 1)
        {
            throw op.Unsupported("an axis that is not a single value");
        }
        string[] outputs = [.. Enumerable.Range(0, op.Outputs.Length).Select(j => op.Out(j))];
        string[] inputs = sizes is { } s ? [op.In(data), b.Int64s(SplitSizes(op, op.Ints(s, "split sizes"), data, axes[0]))] : [op.In(data)];
        b.Node("Split", inputs, outputs, [Int("axis", axes[0])]);
    }

    /// <summary>SPLIT_V's sizes with its one -1 ("the rest") resolved from the input's static shape, which ONNX needs.</summary>
    private static long[] SplitSizes(TfliteOperator op, long[] sizes, int data, long axis)
    {
        int[] shape = TfliteTensors.Shape(op.InputTensor(data));
        long dim = shape.ElementAtOrDefault((int)(axis < 0 ? axis + shape.Length : axis));
        return [.. sizes.Select(size => size >= 0 ? size : dim - sizes.Where(s => s >= 0).Sum())];
    }

    private static void Pack(TfliteOperator op)
    {
        TfliteGraphBuilder b = op.Builder;
        long axis = op.Options<PackOptions>(BuiltinOptions.PackOptions)?.Axis ?? 0;
        string[] expanded = [.. Enumerable.Range(0, op.Inputs.Length).Select(i => b.Node("Unsqueeze", [op.In(i), b.Int64s([axis])], b.Temp("stacked")))];
        b.Node("Concat", expanded, op.Out(), [Int("axis", axis)]);
    }

    private static void Unpack(TfliteOperator op)
    {
        TfliteGraphBuilder b = op.Builder;
        long axis = op.Options<UnpackOptions>(BuiltinOptions.UnpackOptions)?.Axis ?? 0;
        string[] parts = [.. Enumerable.Range(0, op.Outputs.Length).Select(_ => b.Temp("part"))];
        b.Node("Split", [op.In(0)], parts, [Int("axis", axis)]);
        for (int j = 0; j < parts.Length; j++)
        {
            b.Node("Squeeze", [parts[j], b.Int64s([axis])], op.Out(j));
        }
    }

    private static void ArgExtreme(TfliteOperator op, string onnx)
    {
        long[] axis = op.Ints(1, "axis");
        if (axis.Length != 1)
        {
            throw op.Unsupported("an axis that is not a single value");
        }
        TfliteGraphBuilder b = op.Builder;
        // ONNX returns int64 indices; TFLite's output type (int32 by default) is the tensor's.
        bool int64 = b.Type(op.OutputIndex(0)) == DataType.Int64;
        string indices = b.Node(onnx, [op.In(0)], int64 ? op.Out(raw: true) : b.Temp("indices"), [Int("axis", axis[0]), Int("keepdims", 0)]);
        if (!int64)
        {
            b.Node("Cast", [indices], op.Out(raw: true), [Int("to", (long)b.Type(op.OutputIndex(0)))]);
        }
    }

    private static void If(TfliteOperator op)
    {
        IfOptions options = op.Options<IfOptions>(BuiltinOptions.IfOptions) ?? throw op.Unsupported("no IF options");
        TfliteGraphBuilder b = op.Builder;
        string[] bound = [.. Enumerable.Range(1, op.Inputs.Length - 1).Select(op.Raw)];
        var thenGraph = b.Converter.ConvertSubgraph(options.ThenSubgraphIndex, bound, b.Depth + 1);
        var elseGraph = b.Converter.ConvertSubgraph(options.ElseSubgraphIndex, bound, b.Depth + 1);
        if (thenGraph.Output.Count != op.Outputs.Length || elseGraph.Output.Count != op.Outputs.Length)
        {
            throw b.Converter.Invalid($"IF operator {op.Index} has {op.Outputs.Length} outputs but its subgraphs return {thenGraph.Output.Count} and {elseGraph.Output.Count}");
        }
        string[] outputs = [.. Enumerable.Range(0, op.Outputs.Length).Select(j => op.Out(j, raw: true))];
        b.Node("If", [op.Raw(0)], outputs, [Graph("then_branch", thenGraph), Graph("else_branch", elseGraph)]);
    }
}
