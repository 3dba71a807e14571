using System.Globalization;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// int8 embedding tables: a Gather (axis 0) whose data is a constant 2-D float table [V, D] becomes
/// <c>Mul(Cast&lt;float&gt;(Gather(table_int8, ids)), Gather(scales[V, 1], ids))</c>: int8 rows with one symmetric scale
/// per row. Exact in shape for ids of any rank (the scales' trailing 1 broadcasts over D), standard ops only, and
/// nothing ONNX Runtime can fold back into fp32 offline since both Gathers read the run-time ids.
/// </summary>
internal static class EmbeddingQuantizer
{
    /// <summary>Cast's integer <c>to</c> and numpy broadcasting in Mul both start at opset 7.</summary>
    public const long MinOpset = 7;

    public static QuantizationResult Apply(ModelProto model, TensorSource? tensors = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var kept = new KeptLog();
        if (model.Graph is null) return kept.Result(0);
        if (OpsetImports.Default(model) < MinOpset)
        {
            for (int i = model.Graph.Node.Count(IsRowGather); i > 0; i--) kept.Counted($"Gather: {{n}} {{nodes}} kept fp32 (opset below {MinOpset})");
            return kept.Result(0);
        }

        var names = new NameTable(model);
        int quantized = Walk(model.Graph, null, model.IrVersion, tensors, names, kept);
        return kept.Result(quantized);
    }

    private static int Walk(GraphProto graph, GraphScope? parent, long irVersion, TensorSource? tensors, NameTable names, KeptLog kept)
    {
        var scope = new GraphScope(graph, parent, irVersion, tensors);
        var consumers = scope.Consumers();
        var tables = new Dictionary<string, (string Values, string Scales)>(StringComparer.Ordinal);
        int quantized = 0;
        foreach (var node in graph.Node.ToList())
        {
            if (Table(node, scope, consumers, out string? whyNot) is not { } table)
            {
                if (whyNot is not null) kept.Node(whyNot);
                continue;
            }

            if (!tables.TryGetValue(table.Name, out var q))
            {
                float[] values = scope.Tensors.ReadFloats(table.Tensor);
                if (!WeightRewriter.AllFinite(values))
                {
                    kept.Node($"{WeightedMatMul.Describe(node)}: table has NaN or infinite values");
                    continue;
                }

                int rows = (int)table.Tensor.Dims[0], width = (int)table.Tensor.Dims[1];
                var (codes, scales) = Quantize(values, rows, width);
                q = (names.Unique($"{table.Name}_int8"), names.Unique($"{table.Name}_int8_scale"));
                scope.AddInitializer(TensorData.Int8(q.Values, [rows, width], codes));
                scope.AddInitializer(TensorData.Float(q.Scales, [rows, 1], scales));
                tables[table.Name] = q;
            }

            Replace(graph, node, q.Values, q.Scales, names);
            quantized++;
        }

        foreach (string table in tables.Keys) scope.RemoveIfUnused(table);
        foreach (var node in graph.Node.ToList())
        {
            foreach (var subgraph in GraphScope.Subgraphs(node)) quantized += Walk(subgraph, scope, irVersion, tensors, names, kept);
        }

        return quantized;
    }

    /// <summary>
    /// The table <paramref name="node"/> gathers rows of, when it can be quantized: a float constant of this graph, 2-D,
    /// large enough, read only by such Gathers (a table also read elsewhere would stay fp32 next to the int8 copy).
    /// </summary>
    private static ConstantRef? Table(NodeProto node, GraphScope scope, Dictionary<string, List<NodeProto>> consumers, out string? whyNot)
    {
        whyNot = null;
        if (!IsRowGather(node)) return null;
        ConstantRef? table = scope.ResolveConstant(node.Input[0]);
        if (table is null || table.Tensor.DataType != (int)TensorProto.Types.DataType.Float) return null;
        if (scope.ResolveConstant(node.Input[1]) is not null) return null; // constant ids: folded offline anyway
        string name = WeightedMatMul.Describe(node);
        if (!scope.Tensors.IsReadableFloat(table.Tensor) || table.Tensor.Dims.Count != 2 || table.Tensor.Dims[0] <= 0 || table.Tensor.Dims[1] <= 0)
        {
            whyNot = $"{name}: table is not a 2-D float tensor with its data in the model";
            return null;
        }

        if (table.Tensor.Dims[1] == 1) return null; // one value per row (such as the scales this transform writes): nothing to gain
        long count = table.Tensor.Dims[0] * table.Tensor.Dims[1];
        if (count < Int8DynamicQuantizer.MinWeightElements)
        {
            whyNot = $"{name}: table too small ({count.ToString(CultureInfo.InvariantCulture)} elements)";
            return null;
        }

        if (table.Owner != scope || scope.IsGraphOutput(table.Name)
            || !consumers.TryGetValue(table.Name, out var readers) || readers.Any(r => !IsRowGather(r) || r.Input[0] != table.Name || r.Input[1] == table.Name))
        {
            whyNot = $"{name}: table is also read by other nodes or graphs";
            return null;
        }

        return table;
    }

    private static bool IsRowGather(NodeProto node) =>
        node.OpType == "Gather" && GraphScope.IsDefaultDomain(node) && node.Input.Count == 2 && node.Output.Count == 1
        && node.Output[0].Length > 0 && node.Attribute.All(a => a.Name == "axis" && a.I is 0 or -2);

    private static void Replace(GraphProto graph, NodeProto gather, string values, string scales, NameTable names)
    {
        string baseName = gather.Name.Length > 0 ? gather.Name : gather.Output[0];
        string ids = gather.Input[1], output = gather.Output[0];
        string rows = names.Unique($"{baseName}_int8_rows"), floats = names.Unique($"{baseName}_int8_float"), rowScales = names.Unique($"{baseName}_int8_scales");

        var cast = Node("Cast", names.Unique($"{baseName}_int8_cast"), [rows], floats);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        NodeProto[] replacement =
        [
            Node("Gather", names.Unique($"{baseName}_int8"), [values, ids], rows),
            cast,
            Node("Gather", names.Unique($"{baseName}_int8_scale"), [scales, ids], rowScales),
            Node("Mul", names.Unique($"{baseName}_int8_mul"), [floats, rowScales], output),
        ];
        int index = graph.Node.IndexOf(gather);
        graph.Node.RemoveAt(index);
        for (int i = 0; i < replacement.Length; i++) graph.Node.Insert(index + i, replacement[i]);
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    /// <summary>
    /// Symmetric per-row quantization of T [V, D]: scale_v = max|T[v, :]| / 127, q = round-half-even(t / scale_v).
    /// A zero row gets scale 1 (all codes 0).
    /// </summary>
    internal static (sbyte[] Values, float[] Scales) Quantize(float[] table, int rows, int width)
    {
        var scales = new float[rows];
        var values = new sbyte[table.Length];
        for (int row = 0; row < rows; row++)
        {
            var slice = table.AsSpan(row * width, width);
            float max = 0f;
            foreach (float v in slice) max = MathF.Max(max, MathF.Abs(v));
            scales[row] = max > 0f ? max / 127f : 1f;
            for (int i = 0; i < width; i++)
            {
                values[row * width + i] = (sbyte)Math.Clamp(MathF.Round(slice[i] / scales[row], MidpointRounding.ToEven), -127, 127);
            }
        }

        return (values, scales);
    }
}
