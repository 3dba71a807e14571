using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Verification;

/// <summary>How a constrained input's values are made (see <see cref="InputRule"/>).</summary>
internal enum ValueFill
{
    /// <summary>Random in [Low, Below) (integers), the generator's usual distribution when unbounded.</summary>
    Random,
    /// <summary>Every element <see cref="InputRule.Constant"/>.</summary>
    Constant,
    /// <summary>0, 1, 2, …: distinct leading axes.</summary>
    Iota,
    /// <summary>0, …, 0, -1: a Reshape target that keeps the leading dims and infers the last.</summary>
    KeepDims,
    /// <summary><see cref="InputRule.Values"/> in turn: a shape or axes derived from another operand.</summary>
    Values,
    /// <summary>Near-equal parts that add up to <see cref="InputRule.Constant"/> (Split sizes).</summary>
    Partition,
    /// <summary>First half 0, second half 1: a whole-tensor region of interest (normalized starts, then ends).</summary>
    WholeRoi,
    /// <summary>A string input cast to a number: digits, [0, 10) as text. No constraint on other element types.</summary>
    NumberText,
}

/// <summary>
/// What a graph input's values must be for the model to accept them, and the operand that says so (for messages).
/// Integers: Random draws from [Low, Below) (Below null = the generator's default bound). Floats: Random with
/// Below set draws uniformly from [Low, Below); Constant fills Constant.
/// </summary>
internal sealed record InputRule(string Operand, ValueFill Fill = ValueFill.Random, long Constant = 0, long Low = 0, long? Below = null,
    long[]? Values = null)
{
    /// <summary>Element <paramref name="index"/> of <paramref name="count"/> for a fixed fill (not <see cref="ValueFill.Random"/>).</summary>
    public long FixedValue(int index, int count) => Fill switch
    {
        ValueFill.Constant => Constant,
        ValueFill.Iota => index,
        ValueFill.KeepDims => index == count - 1 ? -1 : 0,
        ValueFill.Values => Values is { Length: > 0 } v ? v[index % v.Length] : 0,
        ValueFill.Partition => Constant / count + (index == count - 1 ? Constant % count : 0),
        ValueFill.WholeRoi => index < count / 2 ? 0 : 1,
        _ => throw new InvalidOperationException("Random values are not fixed."),
    };

    /// <summary>Two uses of one input: the first fixed fill wins; ranges narrow to what both accept; number-as-text yields to any other rule.</summary>
    public InputRule Merge(InputRule other)
    {
        if (Fill == ValueFill.NumberText) return other;
        if (other.Fill == ValueFill.NumberText || Fill != ValueFill.Random) return this;
        if (other.Fill != ValueFill.Random) return other;
        long? below = Below is long a && other.Below is long b ? Math.Min(a, b) : Below ?? other.Below;
        return this with { Low = Math.Max(Low, other.Low), Below = below, Operand = $"{Operand}, {other.Operand}" };
    }
}

/// <summary>
/// A constraint pass over the graph: traces each graph input, through operators that pass values on unchanged
/// (Cast, Reshape, Unsqueeze, ...), to the operands that restrict its values, and returns one rule per such input:
/// <list type="bullet">
/// <item>indices stay below the indexed size: Gather/GatherElements/GatherND, Scatter/ScatterElements/ScatterND,
/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss targets, RoiAlign batch indices, OneHot indices, and
/// com.microsoft EmbedLayerNormalization ids;</item>
/// <item>operands that are shapes or counts get values that fit any input: Reshape 0…0,-1; Expand/Tile 1s;
/// ConstantOfShape 2s; Pad pads 0; Slice starts 0, ends large, axes 0…, steps 1; axes 0, 1, …; CumSum axis 0;
/// TopK k 1; OneHot depth 10; Loop trip count 3 and condition true; Range 0 to 8 by 1; Resize/Upsample scales 1;
/// Dropout ratio in [0, 1), training mode off;</item>
/// <item>value domains: integer Div/Mod divisors non-zero, NonMaxSuppression boxes, thresholds in [0, 1).</item>
/// </list>
/// Sizes come from initializers, Constant nodes, fixed declarations and the sample shapes chosen for graph inputs.
/// Pure function of the graph and the shapes, so samples stay deterministic.
/// </summary>
internal static class InputConstraints
{
    // Operators whose first input's values pass to the output unchanged (only reshaped, reordered or cast).
    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal)
    {
        "Cast", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Expand", "Transpose", "Slice", "Tile", "CastLike",
    };

    private static readonly HashSet<string> AxesAsInput = new(StringComparer.Ordinal)
    {
        "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
        "ReduceLogSumExp", "ReduceSumSquare", "Unsqueeze",
    };

    // Operators whose first output has the shape of their first input: known shapes flow through them, so an index
    // into LogSoftmax(x) (an expanded SoftmaxCrossEntropyLoss) is bounded by x's shape.
    private static readonly HashSet<string> SameShape = new(StringComparer.Ordinal)
    {
        "Identity", "Cast", "CastLike", "Neg", "Abs", "Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid", "HardSigmoid", "Tanh", "Exp",
        "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sign", "Erf", "Not", "Softsign", "Softplus", "Clip", "Dropout",
        "Softmax", "LogSoftmax", "Hardmax", "LpNormalization", "InstanceNormalization", "BatchNormalization", "LayerNormalization",
    };

    private const int MaxDepth = 8;

    /// <summary>
    /// A large Slice end: ONNX clamps ends to the dimension; small enough for int32 inputs.
    /// </summary>
    public const long LargeEnd = int.MaxValue;

    /// <param name="graph">The main graph (subgraph nodes that read its values count too).</param>
    /// <param name="inputShapes">The shapes chosen for the graph inputs.</param>
    public static IReadOnlyDictionary<string, InputRule> Find(GraphProto graph, IReadOnlyDictionary<string, long[]> inputShapes)
    {
        var consumers = new Dictionary<string, List<(NodeProto Node, int Input)>>(StringComparer.Ordinal);
        var nodes = new List<NodeProto>();
        Collect(graph, nodes);
        foreach (NodeProto node in nodes)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (!consumers.TryGetValue(node.Input[i], out var list)) consumers[node.Input[i]] = list = [];
                list.Add((node, i));
            }
        }

        var shapes = KnownShapes(graph, nodes, inputShapes);
        var rules = new Dictionary<string, InputRule>(StringComparer.Ordinal);
        foreach (ValueInfoProto input in graph.Input)
        {
            if (Rule(input.Name, consumers, shapes, 0) is { } rule) rules[input.Name] = rule;
        }
        return rules;
    }

    private static InputRule? Rule(string value, Dictionary<string, List<(NodeProto Node, int Input)>> consumers,
        Dictionary<string, long[]> shapes, int depth)
    {
        if (depth > MaxDepth || !consumers.TryGetValue(value, out var uses)) return null;
        InputRule? result = null;
        foreach (var (node, input) in uses)
        {
            InputRule? rule = node.Domain is "" or "ai.onnx"
                ? Standard(node, input, shapes) ?? (PassesOn(node, input) ? Rule(node.Output[0], consumers, shapes, depth + 1) : null)
                    ?? (node.OpType is "Cast" or "CastLike" && input == 0 ? new InputRule("Cast input 0 (text read as a number)", ValueFill.NumberText) : null)
                : node.Domain == "com.microsoft" ? Microsoft(node, input, shapes) : null;
            if (rule is not null) result = result is null ? rule : result.Merge(rule);
        }
        return result;
    }

    // The operand's values reach the first output unchanged: a cast/reshape's data, Where's branches, Concat's parts.
    private static bool PassesOn(NodeProto node, int input) => node.Output.Count > 0 && (node.OpType, input) switch
    {
        ("Where", 1 or 2) or ("Concat", _) => true,
        (_, 0) => PassThrough.Contains(node.OpType),
        _ => false,
    };

    private static InputRule? Standard(NodeProto node, int input, Dictionary<string, long[]> shapes)
    {
        string operand = $"{node.OpType} input {input}";
        InputRule Index(long? size) => new(operand + " (index)", Below: size is > 0 ? size : null);
        InputRule Fixed(long value) => new(operand, ValueFill.Constant, Constant: value);
        InputRule Iota() => new(operand, ValueFill.Iota);
        InputRule Unit() => new(operand, Low: 0, Below: 1);

        return (node.OpType, input) switch
        {
            ("Gather" or "GatherElements" or "Scatter" or "ScatterElements", 1) => Index(Size(shapes, node.Input[0], Axis(node))),
            ("GatherND" or "ScatterND", 1) => Index(MinDim(shapes, node.Input[0])),
            ("NegativeLogLikelihoodLoss" or "SoftmaxCrossEntropyLoss", 1) => Index(Size(shapes, node.Input[0], 1)),
            ("RoiAlign", 2) => Index(Size(shapes, node.Input[0], 0)),
            ("OneHot", 0) => Index(10),
            ("OneHot", 1) => Fixed(10),
            ("Reshape", 1) => new(operand, ValueFill.KeepDims),
            ("Expand" or "Tile", 1) => Fixed(1),
            ("ConstantOfShape", 0) => Fixed(2),
            ("Pad", 1) => Fixed(0),
            ("Pad", 3) => Iota(),
            ("Slice", 1) => Fixed(0),
            ("Slice", 2) => Fixed(LargeEnd),
            ("Slice", 3) => Iota(),
            ("Slice", 4) => Fixed(1),
            ("CumSum", 1) => Fixed(0),
            ("TopK", 1) => Fixed(1),
            ("Loop", 0) => Fixed(3),
            ("Loop", 1) => Fixed(1),
            ("Range", 0) => Fixed(0),
            ("Range", 1) => Fixed(8),
            ("Range", 2) => Fixed(1),
            ("Resize", 1) when node.Input.Count == 2 => Fixed(1), // opset 10: (X, scales); later opsets put roi here
            ("Resize", 2) or ("Upsample", 1) => Fixed(1),
            ("Dropout", 1) => Unit(),
            ("Dropout", 2) => Fixed(0),
            ("Bernoulli", 0) => Unit(),
            ("ReverseSequence", 1) => Fixed(1),
            ("LSTM" or "GRU" or "RNN", 4) => Fixed(Size(shapes, node.Input[0], 0) ?? 1),
            ("Split" or "SplitToSequence", 1) => new(operand, ValueFill.Partition, Constant: Size(shapes, node.Input[0], Axis(node)) ?? 0),
            ("Squeeze", 1) => shapes.TryGetValue(node.Input[0], out long[]? squeezed)
                ? new(operand, ValueFill.Values, Values: [.. Enumerable.Range(0, squeezed.Length).Where(a => squeezed[a] == 1).Select(a => (long)a)])
                : null,
            ("Resize", 1) when node.Input.Count > 2 => new(operand, ValueFill.WholeRoi),
            ("Resize", 3) => shapes.TryGetValue(node.Input[0], out long[]? resized) ? new(operand, ValueFill.Values, Values: resized) : null,
            ("MaxUnpool", 2) => UnpooledShape(node, shapes) is { } unpooled ? new(operand, ValueFill.Values, Values: unpooled) : null,
            // num_mel_bins, dft_length, sample_rate, lower and upper edge (Hz): a plausible speech filter bank.
            ("MelWeightMatrix", _) => Fixed(input switch { 0 => 8, 1 => 64, 2 => 16000, 3 => 0, _ => 8000 }),
            // A zero frame step divides by zero inside ONNX Runtime (the process dies); a frame longer than the signal reads past it.
            ("STFT", 1) => Fixed(1),
            ("STFT", 3) => Fixed(Size(shapes, node.Input.ElementAtOrDefault(2), 0) ?? Math.Min(16, Size(shapes, node.Input[0], 1) ?? 16)),
            ("DFT", 1) => Fixed(Size(shapes, node.Input[0], node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 1) ?? 8),
            ("SequenceAt" or "SequenceInsert" or "SequenceErase", 1 or 2) => Fixed(0),
            ("Div" or "Mod", 1) => new(operand + " (divisor)", Low: 1),
            ("NonMaxSuppression", 0) => Unit(),
            ("NonMaxSuppression", 2) => Fixed(3),
            ("NonMaxSuppression", 3 or 4) => Unit(),
            (_, 1) when AxesAsInput.Contains(node.OpType) => Iota(),
            _ => null,
        };
    }

    private static InputRule? Microsoft(NodeProto node, int input, Dictionary<string, long[]> shapes) => (node.OpType, input) switch
    {
        ("EmbedLayerNormalization", 0) => new("EmbedLayerNormalization input 0 (index)", Below: Size(shapes, node.Input.ElementAtOrDefault(2), 0)),
        ("EmbedLayerNormalization", 1) => new("EmbedLayerNormalization input 1 (index)", Below: Size(shapes, node.Input.ElementAtOrDefault(3), 0)),
        _ => null,
    };

    // MaxUnpool's default output: (in - 1) * stride + kernel per spatial axis (pads are not undone).
    private static long[]? UnpooledShape(NodeProto node, Dictionary<string, long[]> shapes)
    {
        if (!shapes.TryGetValue(node.Input[0], out long[]? x) || x.Length < 3) return null;
        long[] kernel = [.. node.Attribute.FirstOrDefault(a => a.Name == "kernel_shape")?.Ints ?? []];
        long[] strides = [.. node.Attribute.FirstOrDefault(a => a.Name == "strides")?.Ints ?? []];
        if (kernel.Length != x.Length - 2) return null;
        return [x[0], x[1], .. Enumerable.Range(0, kernel.Length).Select(i => (x[i + 2] - 1) * (strides.ElementAtOrDefault(i) is > 0 and var st ? st : 1) + kernel[i])];
    }

    private static long Axis(NodeProto node) => node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 0;

    private static long? Size(Dictionary<string, long[]> shapes, string? name, long axis)
    {
        if (name is null || !shapes.TryGetValue(name, out long[]? shape)) return null;
        if (axis < 0) axis += shape.Length;
        return axis >= 0 && axis < shape.Length && shape[axis] > 0 ? shape[axis] : null;
    }

    private static long? MinDim(Dictionary<string, long[]> shapes, string name) =>
        shapes.TryGetValue(name, out long[]? shape) && shape.Length > 0 && shape.Min() > 0 ? shape.Min() : null;

    /// <summary>Shapes known without running anything: sample input shapes, initializers, Constant outputs, fixed declarations.</summary>
    private static Dictionary<string, long[]> KnownShapes(GraphProto graph, List<NodeProto> nodes, IReadOnlyDictionary<string, long[]> inputShapes)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (ValueInfoProto info in graph.Input.Concat(graph.ValueInfo))
        {
            if (info.Type?.TensorType?.Shape is { } shape && shape.Dim.All(d => d.HasDimValue))
            {
                shapes[info.Name] = [.. shape.Dim.Select(d => d.DimValue)];
            }
        }
        foreach (var (name, shape) in inputShapes)
        {
            shapes[name] = shape;
        }
        foreach (NodeProto node in nodes)
        {
            if (node.OpType == "Constant" && node.Output.Count == 1
                && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } tensor)
            {
                shapes[node.Output[0]] = [.. tensor.Dims];
            }
        }
        foreach (TensorProto initializer in graph.Initializer)
        {
            shapes[initializer.Name] = [.. initializer.Dims];
        }
        var shapeOf = new Dictionary<string, string>(StringComparer.Ordinal); // Shape node output → the value measured
        foreach (NodeProto node in nodes) // in graph order, so shapes flow down chains
        {
            if (node.Domain is not ("" or "ai.onnx") || node.Input.Count == 0 || node.Output.Count == 0) continue;
            if (node.OpType == "Shape" && !node.Attribute.Any(a => a.Name is "start" or "end"))
            {
                shapeOf[node.Output[0]] = node.Input[0];
            }
            else if (Propagated(node, shapes, shapeOf) is { } shape)
            {
                shapes.TryAdd(node.Output[0], shape);
            }
        }
        return shapes;
    }

    private static long[]? Propagated(NodeProto node, Dictionary<string, long[]> shapes, Dictionary<string, string> shapeOf)
    {
        if (SameShape.Contains(node.OpType)) return shapes.GetValueOrDefault(node.Input[0]);
        if (node.OpType == "Reshape" && node.Input.Count > 1 && shapeOf.TryGetValue(node.Input[1], out string? measured))
        {
            return shapes.GetValueOrDefault(measured); // Reshape(y, Shape(x)) has x's shape
        }
        if (node.OpType == "Transpose" && shapes.TryGetValue(node.Input[0], out long[]? x))
        {
            long[] perm = [.. node.Attribute.FirstOrDefault(a => a.Name == "perm")?.Ints ?? []];
            if (perm.Length == 0) return [.. x.Reverse()];
            return perm.Length == x.Length && perm.All(p => p >= 0 && p < x.Length) ? [.. perm.Select(p => x[p])] : null;
        }
        return null;
    }

    // Subgraph nodes may read the main graph's inputs too (If/Loop/Scan bodies).
    private static void Collect(GraphProto graph, List<NodeProto> nodes)
    {
        foreach (NodeProto node in graph.Node)
        {
            nodes.Add(node);
            foreach (AttributeProto attribute in node.Attribute)
            {
                if (attribute.G is not null) Collect(attribute.G, nodes);
                foreach (GraphProto sub in attribute.Graphs) Collect(sub, nodes);
            }
        }
    }
}
