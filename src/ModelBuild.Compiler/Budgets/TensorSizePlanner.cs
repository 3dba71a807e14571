using System.Globalization;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Budgets;

/// <summary>
/// Sizes, before anything runs, the tensors of a model's main graph whose shapes follow from the sample shapes and
/// constants: the inputs themselves, initializers, Constant, ConstantOfShape, Expand, Tile, Reshape, shape-keeping and
/// broadcasting element-wise operators, and values whose declared shape is fully fixed. A single tensor over the
/// memory budget is refused (MB5652) — a 174-byte model can ask ONNX Runtime for 8 GB in one kernel that no
/// watchdog could interrupt. Sizes saturate instead of overflowing; unknown shapes are left to the watchdog.
/// </summary>
internal static class TensorSizePlanner
{
    private const int MaxConstantElements = 64;

    private static readonly HashSet<string> ShapeKeeping = new(StringComparer.Ordinal)
    {
        "Abs", "Neg", "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Reciprocal", "Floor", "Ceil", "Round", "Sign",
        "Identity", "Cast", "Erf", "Sin", "Cos", "Not", "LeakyRelu", "Elu", "Selu", "Softplus", "HardSigmoid", "Clip",
        "Softmax", "LogSoftmax", "Dropout", "IsNaN", "IsInf",
    };

    private static readonly HashSet<string> Broadcasting = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Equal", "Less", "Greater", "LessOrEqual",
        "GreaterOrEqual", "And", "Or", "Xor", "Where", "Mod", "BitShift", "PRelu",
    };

    private sealed record Known(long[] Shape, int ElementType);

    /// <summary>Throws MB5652 for the first tensor of <paramref name="model"/> over <paramref name="memoryLimitBytes"/>,
    /// given the shape and ONNX element type of each fed input (<paramref name="inputShapes"/>).</summary>
    public static void Check(ModelProto model, IReadOnlyDictionary<string, (long[] Shape, int ElementType)> inputShapes, long memoryLimitBytes)
    {
        GraphProto graph = model.Graph;
        var known = new Dictionary<string, Known>(StringComparer.Ordinal);
        var constants = new Dictionary<string, long[]>(StringComparer.Ordinal);

        foreach (var (name, (shape, type)) in inputShapes)
        {
            known[name] = new Known(shape, type);
            Refuse(memoryLimitBytes, known[name], $"sample input {ModelText.Quote(name)}");
        }
        foreach (TensorProto initializer in graph.Initializer)
        {
            AddTensor(initializer.Name, initializer, known, constants);
        }
        var declared = graph.ValueInfo.Concat(graph.Output)
            .Where(v => v.Type?.TensorType?.Shape is { } s && s.Dim.All(d => d.HasDimValue && d.DimValue >= 0))
            .GroupBy(v => v.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        foreach (NodeProto node in graph.Node)
        {
            for (int i = 0; i < node.Output.Count; i++)
            {
                string output = node.Output[i];
                if (output.Length == 0)
                {
                    continue;
                }
                Known? size = i == 0 ? Infer(node, known, constants) : null;
                if (size is null && declared.TryGetValue(output, out ValueInfoProto? value))
                {
                    size = new Known([.. value.Type.TensorType.Shape.Dim.Select(d => d.DimValue)], value.Type.TensorType.ElemType);
                }
                if (size is null)
                {
                    continue;
                }
                known[output] = size;
                Refuse(memoryLimitBytes, size,
                    $"output {ModelText.Quote(output)} of node {ModelText.Quote(node.Name)} ({ModelText.Quote(node.OpType)})");
            }
        }
    }

    private static void Refuse(long limit, Known tensor, string what)
    {
        long bytes = Bytes(tensor);
        if (bytes > limit)
        {
            string shape = string.Join(", ", tensor.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            string size = bytes == long.MaxValue ? "more than 2^63 bytes" : $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes";
            throw new ModelToolException(BudgetCodes.PlannedTensorTooLarge,
                $"Verification would need {size} for {what} with shape [{shape}], over the verification memory budget of " +
                $"{VerificationBudget.Describe(limit)}; nothing was run.");
        }
    }

    private static Known? Infer(NodeProto node, Dictionary<string, Known> known, Dictionary<string, long[]> constants)
    {
        Known? Input(int i) => i < node.Input.Count && known.TryGetValue(node.Input[i], out Known? k) ? k : null;
        long[]? Constant(int i) => i < node.Input.Count && constants.TryGetValue(node.Input[i], out long[]? c) ? c : null;

        switch (node.OpType)
        {
            case "Constant" when node.Domain is "" or "ai.onnx":
                if (node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } tensor && node.Output.Count > 0)
                {
                    AddTensor(node.Output[0], tensor, known, constants);
                    return known.GetValueOrDefault(node.Output[0]);
                }
                return null;
            case "ConstantOfShape":
                return Constant(0) is { } shape && shape.All(d => d >= 0)
                    ? new Known(shape, node.Attribute.FirstOrDefault(a => a.Name == "value")?.T?.DataType ?? (int)DataType.Float)
                    : null;
            case "Expand":
                return Input(0) is { } data && Constant(1) is { } target ? Broadcast(data.ElementType, data.Shape, target) : null;
            case "Tile":
                return Input(0) is { } tiled && Constant(1) is { } repeats && repeats.Length == tiled.Shape.Length && repeats.All(r => r >= 0)
                    ? new Known([.. tiled.Shape.Zip(repeats, Multiply)], tiled.ElementType)
                    : null;
            case "Reshape":
                return Input(0) is { } source && Constant(1) is { } requested ? Reshape(source, requested) : null;
            case var op when ShapeKeeping.Contains(op) && node.Domain is "" or "ai.onnx":
                return Input(0) is { } kept
                    ? op == "Cast" && node.Attribute.FirstOrDefault(a => a.Name == "to") is { } to ? kept with { ElementType = (int)to.I } : kept
                    : null;
            case var op when Broadcasting.Contains(op) && node.Domain is "" or "ai.onnx":
            {
                Known?[] operands = [.. node.Input.Select((_, i) => Input(i))];
                if (operands.Length == 0 || operands.Any(o => o is null))
                {
                    return null;
                }
                int type = op is "Equal" or "Less" or "Greater" or "LessOrEqual" or "GreaterOrEqual" or "And" or "Or" or "Xor"
                    ? (int)DataType.Bool
                    : operands[op == "Where" ? 1 : 0]!.ElementType;
                Known? result = new(operands[0]!.Shape, type);
                foreach (Known? operand in operands.Skip(1))
                {
                    result = result is null ? null : Broadcast(type, result.Shape, operand!.Shape);
                }
                return result;
            }
            default:
                return null;
        }
    }

    private static void AddTensor(string name, TensorProto tensor, Dictionary<string, Known> known, Dictionary<string, long[]> constants)
    {
        if (tensor.Dims.Any(d => d < 0))
        {
            return;
        }
        known[name] = new Known([.. tensor.Dims], tensor.DataType);
        long count = tensor.Dims.Aggregate(1L, Multiply);
        if (count > MaxConstantElements)
        {
            return;
        }
        long[]? values = tensor.DataType switch
        {
            (int)DataType.Int64 when tensor.Int64Data.Count == count => [.. tensor.Int64Data],
            (int)DataType.Int64 when tensor.RawData.Length == count * 8 =>
                [.. Enumerable.Range(0, (int)count).Select(i => BitConverter.ToInt64(tensor.RawData.Span.Slice(i * 8, 8)))],
            (int)DataType.Int32 when tensor.Int32Data.Count == count => [.. tensor.Int32Data.Select(v => (long)v)],
            _ => null,
        };
        if (values is not null)
        {
            constants[name] = values;
        }
    }

    private static Known? Broadcast(int type, long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var shape = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long x = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            long y = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (x < 0 || y < 0 || (x != y && x != 1 && y != 1))
            {
                return null; // ONNX Runtime rejects it; nothing to size
            }
            shape[i] = x == 1 ? y : x;
        }
        return new Known(shape, type);
    }

    private static Known? Reshape(Known source, long[] requested)
    {
        long total = source.Shape.Aggregate(1L, Multiply);
        var shape = new long[requested.Length];
        int inferred = -1;
        for (int i = 0; i < requested.Length; i++)
        {
            shape[i] = requested[i] switch
            {
                0 when i < source.Shape.Length => source.Shape[i],
                -1 when inferred < 0 => -1,
                < 0 => long.MinValue,
                var d => d,
            };
            if (shape[i] == long.MinValue) return null;
            if (shape[i] == -1) inferred = i;
        }
        if (inferred >= 0)
        {
            long rest = shape.Where((_, i) => i != inferred).Aggregate(1L, Multiply);
            if (rest == 0 || rest == long.MaxValue) return null;
            shape[inferred] = total / rest;
        }
        return new Known(shape, source.ElementType);
    }

    /// <summary>Bytes of a tensor, saturating at <see cref="long.MaxValue"/> (strings and unknown types count 8 bytes each).</summary>
    public static long Bytes(long[] shape, int elementType) => Multiply(shape.Aggregate(1L, Multiply), ElementSize(elementType));

    private static long Bytes(Known tensor) => Bytes(tensor.Shape, tensor.ElementType);

    /// <summary>a × b for non-negative sizes, saturating instead of overflowing.</summary>
    public static long Multiply(long a, long b)
    {
        if (a <= 0 || b <= 0) return 0;
        return a > long.MaxValue / b ? long.MaxValue : a * b;
    }

    private static long ElementSize(int type) => (DataType)type switch
    {
        DataType.Bool or DataType.Int8 or DataType.Uint8 => 1,
        DataType.Float16 or DataType.Bfloat16 or DataType.Int16 or DataType.Uint16 => 2,
        DataType.Float or DataType.Int32 or DataType.Uint32 => 4,
        _ => 8,
    };
}
