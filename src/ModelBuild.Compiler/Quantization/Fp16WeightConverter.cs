using System.Globalization;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// fp16 storage: float initializers and Constant-node tensors are stored as float16 and a <c>Cast(to=FLOAT)</c>
/// restores the original name, so inputs, outputs and computation stay float and the file is about half the size.
/// ORT folds the casts into fp32 initializers when it loads the model.
/// </summary>
internal static class Fp16WeightConverter
{
    /// <summary>
    /// Smaller tensors stay fp32: under 1024 elements the saving is below 2 KiB while each one costs a Cast node,
    /// and such tensors (scalars, LayerNorm gains, shapes-as-float) are the ones read as exact constants.
    /// </summary>
    public const int MinElements = 1024;

    /// <remarks><c>tensors</c>: where weights are read (external tensors of large models); default: inline only.</remarks>
    public static QuantizationResult Apply(ModelProto model, TensorSource? tensors = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var kept = new KeptLog();
        if (model.Graph is null) return kept.Result(0);

        // Cast-1 took its target type as a string; from opset 6 it is an int.
        if (OpsetImports.Default(model) < 6)
        {
            kept.Node("model: opset below 6 (Cast has no int 'to' attribute); weights kept fp32");
            return kept.Result(0);
        }

        var names = new NameTable(model);
        int converted = 0;
        Convert(model.Graph, null);
        return kept.Result(converted);

        void Convert(GraphProto graph, GraphScope? parent)
        {
            var scope = new GraphScope(graph, parent, model.IrVersion, tensors);
            var casts = new List<NodeProto>();
            foreach (var tensor in graph.Initializer.ToList())
            {
                if (Eligible(scope, tensor, scope.ResolveConstant(tensor.Name)?.Owner == scope) is not { } values) continue;
                string storedName = names.Unique($"{tensor.Name}_fp16");
                var half = TensorData.Float16(storedName, [.. tensor.Dims], values, saturate: false);
                graph.Initializer[graph.Initializer.IndexOf(tensor)] = half;
                if (model.IrVersion < 4 && scope.IsMain && graph.Input.FirstOrDefault(i => i.Name == tensor.Name) is { } input)
                {
                    graph.Input[graph.Input.IndexOf(input)] = TensorData.ValueInfo(storedName, (int)DataType.Float16, tensor.Dims);
                }

                casts.Add(CastToFloat(storedName, tensor.Name));
                converted++;
            }

            // Casts of initializers go first: every node may read an initializer.
            for (int i = casts.Count - 1; i >= 0; i--) graph.Node.Insert(0, casts[i]);

            foreach (var node in graph.Node.ToList())
            {
                if (GraphScope.IsConstantNode(node) && node.Output.Count == 1 && GraphScope.ConstantValue(node) is { } value && Eligible(scope, value, true) is { } values)
                {
                    string output = node.Output[0];
                    string storedName = names.Unique($"{output}_fp16");
                    node.Attribute[0].T = TensorData.Float16(value.Name, [.. value.Dims], values, saturate: false);
                    node.Output[0] = storedName;
                    graph.Node.Insert(graph.Node.IndexOf(node) + 1, CastToFloat(storedName, output));
                    converted++;
                }
            }

            foreach (var node in graph.Node.ToList())
            {
                foreach (var subgraph in GraphScope.Subgraphs(node)) Convert(subgraph, scope);
            }
        }

        // The values when the tensor is converted (read once: a large model's tensor comes from its data file).
        float[]? Eligible(GraphScope scope, TensorProto tensor, bool isConstant)
        {
            if (!isConstant || !scope.Tensors.IsReadableFloat(tensor)) return null;
            long count = TensorData.ElementCount(tensor);
            if (count < MinElements)
            {
                kept.Counted($"{{n}} float {{tensors}} under {MinElements.ToString(CultureInfo.InvariantCulture)} elements kept fp32".Replace("{tensors}", "tensor(s)", StringComparison.Ordinal));
                return null;
            }

            float[] values = scope.Tensors.ReadFloats(tensor);
            foreach (float v in values)
            {
                if (float.IsFinite(v) && MathF.Abs(v) > 65504f)
                {
                    kept.Node($"tensor {ModelText.Quote(tensor.Name)}: values beyond the fp16 range (±65504); kept fp32");
                    return null;
                }
            }

            return values;
        }

        NodeProto CastToFloat(string input, string output)
        {
            var cast = new NodeProto { OpType = "Cast", Name = names.Unique($"{output}_cast") };
            cast.Input.Add(input);
            cast.Output.Add(output);
            cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)DataType.Float });
            return cast;
        }
    }
}
