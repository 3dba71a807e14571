using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Variants;

/// <summary>
/// The mobile variant's input shapes. NNAPI and Core ML take only nodes whose shapes are static, so <c>MobileShapes</c>
/// fixes the open dimensions of the named inputs, as ONNX Runtime's <c>make_dynamic_shape_fixed</c> does before a model
/// is converted to ORT format for them: the input's dimensions become values, and a symbolic dimension's name takes the
/// value on every graph input, output and value_info of the main graph. ONNX Runtime's shape inference, when the
/// variant is optimized and converted, then makes the inner shapes static too.
/// </summary>
internal static class MobileInputShapes
{
    /// <summary>
    /// Checks <paramref name="given"/> against the model's inputs and returns the value of each symbolic dimension it
    /// fixes. Throws <see cref="MobileShapeException"/> (MB5660) naming the input when a shape does not fit.
    /// </summary>
    public static IReadOnlyDictionary<string, long> Check(ModelProto model, IReadOnlyDictionary<string, long[]> given)
    {
        List<ValueInfoProto> inputs = [.. SampleInputGenerator.FeedableInputs(model.Graph)];
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((string name, long[] shape) in given.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            ValueInfoProto input = inputs.FirstOrDefault(i => i.Name == name)
                ?? throw Mismatch(name, shape, $"the model has no such input (its inputs: {string.Join(", ", inputs.Select(i => ModelText.Quote(i.Name)))})");
            if (input.Type?.TensorType is not { } tensor)
            {
                throw Mismatch(name, shape, "it is not a tensor");
            }
            if (tensor.Shape is not { } declared)
            {
                continue; // rank unknown: the given shape is the whole shape
            }
            if (declared.Dim.Count != shape.Length)
            {
                throw Mismatch(name, shape, $"the model declares rank {declared.Dim.Count}");
            }
            for (int axis = 0; axis < shape.Length; axis++)
            {
                TensorShapeProto.Types.Dimension dim = declared.Dim[axis];
                if (dim.HasDimValue && dim.DimValue >= 0 && dim.DimValue != shape[axis])
                {
                    throw Mismatch(name, shape, $"axis {axis} is fixed at {dim.DimValue}");
                }
                if (dim.HasDimParam && dim.DimParam.Length > 0)
                {
                    if (symbols.TryGetValue(dim.DimParam, out long bound) && bound != shape[axis])
                    {
                        throw Mismatch(name, shape, $"axis {axis} is {ModelText.Quote(dim.DimParam)}, which another MobileShapes entry sets to {bound}");
                    }
                    symbols[dim.DimParam] = shape[axis];
                }
            }
        }
        return symbols;
    }

    /// <summary>Fixes the given inputs' shapes in <paramref name="model"/> (checked by <see cref="Check"/> first).</summary>
    public static void Apply(ModelProto model, IReadOnlyDictionary<string, long[]> given)
    {
        IReadOnlyDictionary<string, long> symbols = Check(model, given);
        foreach (ValueInfoProto input in SampleInputGenerator.FeedableInputs(model.Graph).Where(i => given.ContainsKey(i.Name)))
        {
            TypeProto.Types.Tensor tensor = input.Type.TensorType;
            tensor.Shape = new TensorShapeProto();
            tensor.Shape.Dim.AddRange(given[input.Name].Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        }
        GraphProto graph = model.Graph;
        foreach (ValueInfoProto value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            foreach (TensorShapeProto.Types.Dimension dim in value.Type?.TensorType?.Shape?.Dim ?? [])
            {
                if (dim.HasDimParam && symbols.TryGetValue(dim.DimParam, out long size))
                {
                    dim.DimValue = size;
                }
            }
        }
    }

    /// <summary>
    /// The model's inputs that keep an open dimension (or an unknown rank) once <paramref name="given"/> is applied: a
    /// symbolic dimension another input fixes is fixed here too.
    /// </summary>
    public static IReadOnlyList<ValueInfoProto> Dynamic(ModelProto model, IReadOnlyDictionary<string, long[]> given)
    {
        IReadOnlyDictionary<string, long> symbols = Check(model, given);
        bool Open(TensorShapeProto.Types.Dimension d) => !(d.HasDimValue && d.DimValue >= 0) && !(d.HasDimParam && symbols.ContainsKey(d.DimParam));
        return [.. SampleInputGenerator.FeedableInputs(model.Graph).Where(i => !given.ContainsKey(i.Name) && i.Type?.TensorType is { } tensor
            && (tensor.Shape is null || tensor.Shape.Dim.Any(Open)))];
    }

    private static MobileShapeException Mismatch(string input, long[] shape, string why) =>
        new($"MobileShapes gives input {ModelText.Quote(input)} the shape {string.Join(",", shape)}, but {why}. Give the shape the mobile variant should run, one the model accepts.");
}

/// <summary>A MobileShapes entry that does not fit the model (MB5660).</summary>
internal sealed class MobileShapeException(string message) : ModelBuildException("MB5660", message);
