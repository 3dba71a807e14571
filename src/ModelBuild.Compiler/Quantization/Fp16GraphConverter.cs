using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// fp16 compute (for the CUDA target): the main graph's float values become float16 — initializers, Constant and
/// ConstantOfShape values, Cast(to=FLOAT), value_info — while the model's float inputs and outputs stay float (Casts at
/// the edges). Ops in <see cref="Fp32Ops"/>, ops of other domains, ops with subgraphs (their bodies untouched) and ops
/// whose value types cannot be told stay fp32 with Casts around them. So do nodes that read or write a value fp16
/// cannot hold: a constant beyond ±65504 (a DBNet detector's BatchNormalization variance reaches 9.8e7; clamped to
/// 65504 it turned the output into noise, cosine 0.02) or, with calibration (<see cref="Fp16Options.Ranges"/>), an
/// activation beyond a quarter of that or entirely below fp16's normal range. For the CUDA provider
/// (<see cref="Fp16Options.CudaKernels"/>) ops without a CUDA float16 kernel stay fp32 too, inside the graph, so ONNX
/// Runtime places no node on the CPU for want of a kernel. ORT on CPU still runs the result: it inserts casts where it
/// has no fp16 kernel.
/// </summary>
internal static class Fp16GraphConverter
{
    private const int Float = (int)DataType.Float, Float16 = (int)DataType.Float16;

    /// <summary>
    /// Default-domain ops kept in fp32, and why: float-only inputs or coordinate math where fp16 rounding moves sample
    /// positions (Resize, Upsample, RoiAlign, GridSample, Range); results that are decisions, where a rounding flips a
    /// near tie (TopK, ArgMax, ArgMin, NonMaxSuppression); accumulations that overflow or lose small terms in fp16
    /// (CumSum, ReduceProd, ReduceSumSquare, ReduceL2, ReduceLogSum, ReduceLogSumExp); sampling (Random*, Bernoulli,
    /// Multinomial); signal processing (DFT, STFT, windows, MelWeightMatrix); quantization ops with fixed float scales;
    /// control flow (If, Loop, Scan: bodies would need their own typing).
    /// </summary>
    public static readonly IReadOnlySet<string> Fp32Ops = new HashSet<string>(StringComparer.Ordinal)
    {
        "Resize", "Upsample", "RoiAlign", "GridSample", "Range",
        "TopK", "ArgMax", "ArgMin", "NonMaxSuppression",
        "CumSum", "ReduceProd", "ReduceSumSquare", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
        "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli", "Multinomial",
        "DFT", "STFT", "HannWindow", "HammingWindow", "BlackmanWindow", "MelWeightMatrix",
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "MatMulInteger", "ConvInteger",
        "If", "Loop", "Scan",
    };

    /// <remarks><c>tensors</c>: where weights are read (external tensors of large models); default: inline only.</remarks>
    public static QuantizationResult Apply(ModelProto model, TensorSource? tensors = null, Fp16Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= Fp16Options.Default;
        var kept = new KeptLog();
        if (model.Graph is null) return kept.Result(0);
        if (OpsetImports.Default(model) < 6)
        {
            kept.Node("model: opset below 6 (Cast has no int 'to' attribute); kept fp32");
            return kept.Result(0);
        }

        var graph = model.Graph;
        var scope = new GraphScope(graph, null, model.IrVersion, tensors);
        var names = new NameTable(model);
        Dictionary<string, int> types = ElementTypes.Infer(graph);
        bool IsFloat(string name) => name.Length > 0 && types.GetValueOrDefault(name) == Float;
        long opset = OpsetImports.Default(model);
        var constantFits = new Dictionary<string, bool>(StringComparer.Ordinal);

        // Why a value cannot be fp16: constants by their values, activations by calibration.
        string? RangeProblem(string value)
        {
            if (scope.ResolveConstant(value) is { } constant)
            {
                if (!constantFits.TryGetValue(value, out bool fits))
                {
                    fits = !scope.Tensors.IsReadableFloat(constant.Tensor) || FitsFp16(scope.Tensors.ReadFloats(constant.Tensor));
                    constantFits[value] = fits;
                }

                return fits ? null : "constant beyond fp16's range";
            }

            return options.Ranges?.TryGetValue(value, out float max) == true ? Fp16ValueRanges.Problem(max) : null;
        }

        // 1. Which nodes compute in fp16.
        var fp16Nodes = new HashSet<NodeProto>();
        int converted = 0;
        foreach (var node in graph.Node)
        {
            var reads = GraphScope.NodeReads(node).ToList();
            bool touchesFloat = reads.Any(IsFloat) || node.Output.Any(IsFloat);
            if (!touchesFloat) continue;
            string? why = !GraphScope.IsDefaultDomain(node) ? "other domain"
                : Fp32Ops.Contains(node.OpType) ? "fp32 op"
                : node.Output.Count > 0 && options.Fp32Nodes?.Contains(node.Output[0]) == true ? "near the outputs, for accuracy"
                : options.CudaKernels && !Fp16CudaKernels.Has(node.OpType, opset) ? "no CUDA fp16 kernel"
                : GraphScope.Subgraphs(node).Any() ? "has subgraphs"
                : reads.Concat(node.Output).Any(n => n.Length > 0 && types.GetValueOrDefault(n) == 0) ? "value types unknown"
                : reads.Concat(node.Output).Where(IsFloat).Select(RangeProblem).FirstOrDefault(p => p is not null);
            if (why is null)
            {
                fp16Nodes.Add(node);
                converted++;
            }
            else
            {
                kept.Counted($"{node.OpType}: {{n}} {{nodes}} kept fp32 ({why})");
            }
        }

        // 2. Where each float value natively lives. Inputs (and overridable initializers) are fp32; a constant
        //    initializer is fp16 when an fp16 node reads it; node outputs follow their node.
        var consumers = scope.Consumers();
        var outputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);

        // A constant is fp16 when an fp16 node reads it; one only fp32 nodes read stays fp32 (Constant nodes too):
        // rounding it to fp16 and back would put fp16 error into fp32 computation.
        bool ReadByFp16(string value) =>
            consumers.TryGetValue(value, out var readers) && readers.Any(fp16Nodes.Contains) && !outputs.Contains(value);
        foreach (var node in graph.Node)
        {
            if (GraphScope.IsConstantNode(node) && fp16Nodes.Contains(node) && !node.Output.Any(ReadByFp16))
            {
                fp16Nodes.Remove(node);
                converted--;
                kept.Counted("Constant: {n} {nodes} kept fp32 (read by fp32 nodes only)");
            }
        }

        var native = new Dictionary<string, int>(StringComparer.Ordinal); // value → Float or Float16
        var nativeName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            if (tensor.DataType != Float) continue;
            bool constant = scope.ResolveConstant(tensor.Name) is not null && !outputs.Contains(tensor.Name);
            native[tensor.Name] = constant && ReadByFp16(tensor.Name) && scope.Tensors.IsReadableFloat(tensor) ? Float16 : Float;
        }

        foreach (var node in graph.Node)
        {
            bool fp16 = fp16Nodes.Contains(node);
            for (int i = 0; i < node.Output.Count; i++)
            {
                string output = node.Output[i];
                if (!IsFloat(output)) continue;
                bool fixedFloat = node.OpType == "LayerNormalization" && i > 0; // Mean, InvStdDev: float whatever T is
                native[output] = fp16 && !fixedFloat ? Float16 : Float;
            }
        }

        // 3. Rewrite: constants to fp16, attributes, Casts where a reader wants the other precision.
        for (int i = 0; i < graph.Initializer.Count; i++)
        {
            var tensor = graph.Initializer[i];
            if (native.GetValueOrDefault(tensor.Name) == Float16)
            {
                graph.Initializer[i] = TensorData.Float16(tensor.Name, [.. tensor.Dims], scope.Tensors.ReadFloats(tensor), saturate: true);
            }
        }

        var casts = new Dictionary<(string, int), string>();
        var result = new List<NodeProto>(graph.Node.Count + 16);
        string As(string value, int want)
        {
            int have = native.GetValueOrDefault(value, Float);
            string name = nativeName.GetValueOrDefault(value, value);
            if (have == want) return name;
            if (casts.TryGetValue((value, want), out string? cast)) return cast;
            cast = names.Unique($"{value}_{(want == Float16 ? "fp16" : "fp32")}");
            result.Add(Cast(name, cast, want));
            casts[(value, want)] = cast;
            return cast;
        }

        foreach (var node in graph.Node)
        {
            bool fp16 = fp16Nodes.Contains(node);
            int want = fp16 ? Float16 : Float;
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (IsFloat(node.Input[i])) node.Input[i] = As(node.Input[i], want);
            }

            // Outer-scope reads of a kept node's subgraphs: renamed to fp32 versions made before the node.
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var subgraph in GraphScope.Subgraphs(node))
            {
                foreach (string free in GraphScope.FreeNames(subgraph).Order(StringComparer.Ordinal))
                {
                    if (IsFloat(free) && native.GetValueOrDefault(free, Float) == Float16) renames[free] = As(free, Float);
                }
            }

            if (renames.Count > 0)
            {
                foreach (var subgraph in GraphScope.Subgraphs(node)) RenameFree(subgraph, renames);
            }

            if (fp16) ConvertAttributes(node);

            // A graph output computed in fp16: the node writes a new name, a Cast restores the float output.
            var outputCasts = new List<NodeProto>();
            for (int i = 0; i < node.Output.Count; i++)
            {
                string output = node.Output[i];
                if (native.GetValueOrDefault(output) != Float16) continue;
                if (outputs.Contains(output))
                {
                    string renamed = names.Unique($"{output}_fp16");
                    nativeName[output] = renamed;
                    node.Output[i] = renamed;
                    outputCasts.Add(Cast(renamed, output, Float));
                    casts[(output, Float)] = output;
                }

                SetValueInfoType(graph, output, Float16);
            }

            result.Add(node);
            result.AddRange(outputCasts);
        }

        graph.Node.Clear();
        graph.Node.AddRange(result);
        return kept.Result(converted);

        NodeProto Cast(string input, string output, int to)
        {
            var cast = new NodeProto { OpType = "Cast", Name = names.Unique($"{output}_cast") };
            cast.Input.Add(input);
            cast.Output.Add(output);
            cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = to });
            return cast;
        }
    }

    private static bool FitsFp16(float[] values)
    {
        foreach (float v in values)
        {
            if (float.IsFinite(v) && MathF.Abs(v) > Fp16ValueRanges.Fp16Max) return false;
        }

        return true;
    }

    private static void SetValueInfoType(GraphProto graph, string name, int type)
    {
        foreach (var value in graph.ValueInfo)
        {
            if (value.Name == name && value.Type?.TensorType is { } tensor) tensor.ElemType = type;
        }
    }

    /// <summary>Float-typed attributes of an fp16 node: Cast/EyeLike targets and constant values.</summary>
    private static void ConvertAttributes(NodeProto node)
    {
        foreach (var attribute in node.Attribute.ToList())
        {
            switch (node.OpType, attribute.Name)
            {
                case ("Cast", "to") or ("EyeLike", "dtype") when attribute.I == Float:
                    attribute.I = Float16;
                    break;
                case ("Constant" or "ConstantOfShape", "value") when attribute.T is { DataType: Float } t && TensorData.IsReadableFloat(t):
                    attribute.T = TensorData.Float16(t.Name, [.. t.Dims], TensorData.ReadFloats(t), saturate: true);
                    break;
                case ("Constant", "value_float"):
                    node.Attribute[node.Attribute.IndexOf(attribute)] = TensorAttribute(TensorData.Float16("", [], [attribute.F], saturate: true));
                    break;
                case ("Constant", "value_floats"):
                    node.Attribute[node.Attribute.IndexOf(attribute)] = TensorAttribute(TensorData.Float16("", [attribute.Floats.Count], [.. attribute.Floats], saturate: true));
                    break;
            }
        }
    }

    private static AttributeProto TensorAttribute(TensorProto tensor) =>
        new() { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor };

    /// <summary>Renames references to enclosing-scope values in <paramref name="graph"/> and its subgraphs (shadowing respected).</summary>
    private static void RenameFree(GraphProto graph, Dictionary<string, string> renames)
    {
        var local = new Dictionary<string, string>(renames, StringComparer.Ordinal);
        foreach (string defined in graph.Input.Select(i => i.Name).Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Node.SelectMany(n => n.Output)))
        {
            local.Remove(defined);
        }

        if (local.Count == 0) return;
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (local.TryGetValue(node.Input[i], out string? name)) node.Input[i] = name;
            }

            foreach (var subgraph in GraphScope.Subgraphs(node)) RenameFree(subgraph, local);
        }

        // A body output that is an outer value passes it through: it must stay float like the body declares.
        foreach (var output in graph.Output)
        {
            if (local.ContainsKey(output.Name))
            {
                var identity = new NodeProto { OpType = "Identity", Name = $"{output.Name}_passthrough" };
                identity.Input.Add(local[output.Name]);
                identity.Output.Add(output.Name);
                graph.Node.Add(identity);
            }
        }
    }
}
