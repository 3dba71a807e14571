using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// Sizes chosen for dimensions that a model leaves open. Defaults: batch-like dimensions 1; spatial dimensions of
/// image-like inputs 224; every other open dimension 8; rank unknown: a 1-D tensor of 8. A symbolic name gets
/// one size across all inputs of a model (so "batch" or "sequence" agree between inputs).
/// </summary>
internal sealed record SampleShapeOptions
{
    public static SampleShapeOptions Default { get; } = new();

    /// <summary>Dimensions named like a batch (<c>batch</c>, <c>batch_size</c>, <c>N</c>, ...), and an unnamed leading dimension.</summary>
    public long BatchSize { get; init; } = 1;

    /// <summary>Open height/width of an image-like input (rank 4 with 1, 3 or 4 channels).</summary>
    public long ImageSize { get; init; } = 224;

    /// <summary>Every other open dimension (sequence lengths, counts).</summary>
    public long DefaultSize { get; init; } = 8;

    /// <summary>Sizes by symbolic name, taking precedence over the rules above.</summary>
    public IReadOnlyDictionary<string, long> Named { get; init; } = new Dictionary<string, long>();

    /// <summary>Whole shapes by input name (the <c>SampleShapes</c> metadata); their symbolic names bind first.</summary>
    public IReadOnlyDictionary<string, long[]> Inputs { get; init; } = new Dictionary<string, long[]>();
}

/// <summary>Resolves an input's declared shape to concrete sizes (see <see cref="SampleShapeOptions"/>).</summary>
internal sealed class SampleShapes(SampleShapeOptions options)
{
    private static readonly HashSet<string> BatchNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "n", "b", "bs", "batch", "batch_size", "batchsize", "batch_dim", "num_batches", "unk__batch",
    };

    private static readonly HashSet<string> SpatialNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "h", "w", "height", "width", "img_h", "img_w", "image_height", "image_width",
    };

    private readonly Dictionary<string, long> _symbols = new(options.Named, StringComparer.Ordinal);
    private readonly HashSet<string> _given = new(StringComparer.Ordinal);

    /// <summary>
    /// Binds the symbolic names of the inputs whose whole shape is given; call before <see cref="Resolve"/>.
    /// </summary>
    /// <exception cref="ModelToolException">MB5611 for a given shape that the declared shape rules out.</exception>
    public void BindGiven(IEnumerable<ValueInfoProto> inputs)
    {
        foreach (ValueInfoProto input in inputs)
        {
            if (!options.Inputs.TryGetValue(input.Name, out long[]? given) || input.Type?.TensorType?.Shape is not { } declared)
            {
                continue;
            }
            if (declared.Dim.Count != given.Length)
            {
                throw GivenMismatch(input.Name, given, $"the model declares rank {declared.Dim.Count}");
            }
            for (int axis = 0; axis < given.Length; axis++)
            {
                var dim = declared.Dim[axis];
                if (dim.HasDimValue && dim.DimValue != given[axis])
                {
                    throw GivenMismatch(input.Name, given, $"axis {axis} is fixed at {dim.DimValue}");
                }
                if (dim.HasDimParam && dim.DimParam.Length > 0)
                {
                    if (_symbols.TryGetValue(dim.DimParam, out long bound) && _given.Contains(dim.DimParam) && bound != given[axis])
                    {
                        throw GivenMismatch(input.Name, given, $"axis {axis} is {ModelText.Quote(dim.DimParam)}, which another input sets to {bound}");
                    }
                    _symbols[dim.DimParam] = given[axis];
                    _given.Add(dim.DimParam);
                }
            }
        }
    }

    private static ModelToolException GivenMismatch(string input, long[] given, string why) =>
        new(ToolErrorCodes.SampleShapeInvalid,
            $"SampleShapes gives input {ModelText.Quote(input)} the shape {string.Join(",", given)}, but {why}. Give a shape the model accepts.");

    /// <summary>The sample shape of one input: the given one, else its declared shape with open dimensions chosen.</summary>
    public long[] Resolve(string name, TypeProto.Types.Tensor tensor)
    {
        if (options.Inputs.TryGetValue(name, out long[]? given))
        {
            return (long[])given.Clone();
        }
        if (tensor.Shape is null)
        {
            return [options.DefaultSize];
        }

        var dims = tensor.Shape.Dim;
        int channelsAxis = ImageChannelsAxis(tensor);
        var shape = new long[dims.Count];
        for (int axis = 0; axis < dims.Count; axis++)
        {
            var dim = dims[axis];
            bool spatial = channelsAxis == 1 ? axis >= 2 : channelsAxis == 3 && axis is 1 or 2;
            if (dim.HasDimValue && dim.DimValue >= 0)
            {
                shape[axis] = dim.DimValue;
            }
            else if (dim.HasDimParam && dim.DimParam.Length > 0)
            {
                if (!_symbols.TryGetValue(dim.DimParam, out long size))
                {
                    size = BatchNames.Contains(dim.DimParam) || dim.DimParam.Contains("batch", StringComparison.OrdinalIgnoreCase)
                        ? options.BatchSize
                        : spatial || SpatialNames.Contains(dim.DimParam) ? options.ImageSize : options.DefaultSize;
                    _symbols[dim.DimParam] = size;
                }
                shape[axis] = size;
            }
            else
            {
                // Unnamed: the leading axis is by convention the batch.
                shape[axis] = axis == 0 ? options.BatchSize : spatial ? options.ImageSize : options.DefaultSize;
            }
        }
        return shape;
    }

    /// <summary>
    /// 1 for NCHW, 3 for NHWC, -1 when the input does not look like an image: a rank-4 float tensor whose channel
    /// axis is fixed at 1, 3 or 4.
    /// </summary>
    public static int ImageChannelsAxis(TypeProto.Types.Tensor tensor)
    {
        if (tensor.Shape is not { Dim.Count: 4 } shape
            || !SampleElementTypes.IsFloat((Microsoft.ML.OnnxRuntime.Tensors.TensorElementType)tensor.ElemType))
        {
            return -1;
        }

        static bool IsChannels(TensorShapeProto.Types.Dimension d) => d.HasDimValue && d.DimValue is 1 or 3 or 4;
        return IsChannels(shape.Dim[1]) ? 1 : IsChannels(shape.Dim[3]) ? 3 : -1;
    }
}
