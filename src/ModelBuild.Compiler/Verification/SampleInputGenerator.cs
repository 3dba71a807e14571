using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// Seeded random inputs in realistic ranges, for models that come without sample data:
/// <list type="bullet">
/// <item>float types: approximately standard normal (bounded, see <see cref="SampleRandom.NextNormal"/>); image-like
/// inputs (rank 4, 1/3/4 channels, see <see cref="SampleShapes.ImageChannelsAxis"/>) uniform in [0, 1);</item>
/// <item>integer types: below the table size where the input indexes one (<see cref="IndexBounds"/>); all ones for
/// names containing "mask"; [0, 256) for 8-bit image-like inputs; otherwise [0, 10);</item>
/// <item>bool: fair coin; string: 1 to 8 lower-case ASCII letters.</item>
/// </list>
/// Open dimensions follow <see cref="SampleShapeOptions"/>. The same model, count and seed always give the same
/// samples, and a larger count extends a smaller one (the first sets are the same).
/// </summary>
internal static class SampleInputGenerator
{
    private const long DefaultIntegerBound = 10;

    public static IReadOnlyList<SampleSet> Generate(ModelProto model, int count, int seed) =>
        Generate(model, count, seed, SampleShapeOptions.Default);

    /// <exception cref="ModelToolException">MB5601 for an input that is not a tensor of a supported element type.</exception>
    public static IReadOnlyList<SampleSet> Generate(ModelProto model, int count, int seed, SampleShapeOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        GraphProto graph = model.Graph ?? throw new ArgumentException("The model has no graph.", nameof(model));

        var shapes = new SampleShapes(options);
        var bounds = IndexBounds.Find(graph);
        var specs = FeedableInputs(graph)
            .Select(input => Spec(input, shapes, bounds))
            .ToList();

        var random = new SampleRandom(unchecked((ulong)seed));
        var sets = new List<SampleSet>(count);
        for (int i = 0; i < count; i++)
        {
            sets.Add(new SampleSet([.. specs.Select(spec => Tensor(spec, random))]));
        }
        return sets;
    }

    /// <summary>Graph inputs that must be fed: those without an initializer of the same name (IR &lt; 4 lists initializers as inputs).</summary>
    internal static IEnumerable<ValueInfoProto> FeedableInputs(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Select(s => s.Values?.Name ?? ""))
            .ToHashSet(StringComparer.Ordinal);
        return graph.Input.Where(input => !initializers.Contains(input.Name));
    }

    /// <summary>The tensor type of an input, or MB5601 for sequences, maps, optionals, sparse tensors and missing types.</summary>
    internal static TypeProto.Types.Tensor TensorType(ValueInfoProto input)
    {
        if (input.Type?.TensorType is { } tensor) return tensor;
        string kind = input.Type?.ValueCase switch
        {
            TypeProto.ValueOneofCase.SequenceType => "a sequence",
            TypeProto.ValueOneofCase.MapType => "a map",
            TypeProto.ValueOneofCase.OptionalType => "an optional",
            TypeProto.ValueOneofCase.SparseTensorType => "a sparse tensor",
            _ => "of no declared type",
        };
        throw new ModelToolException(ToolErrorCodes.InputTypeUnsupported,
            $"Input {ModelText.Quote(input.Name)} is {kind}, not a tensor: verification can only make or load tensor inputs. " +
            "Turn verification off for this model, or export it with tensor inputs.");
    }

    private sealed record InputSpec(string Name, TensorElementType Type, long[] Shape, long Count, bool Image, long? Bound, bool Mask);

    private static InputSpec Spec(ValueInfoProto input, SampleShapes shapes, IReadOnlyDictionary<string, long> bounds)
    {
        TypeProto.Types.Tensor tensor = TensorType(input);
        TensorElementType type = SampleElementTypes.FromOnnx(tensor.ElemType, $"Input {ModelText.Quote(input.Name)}");
        long[] shape = shapes.Resolve(tensor);
        long count = shape.Aggregate(1L, Budgets.TensorSizePlanner.Multiply); // saturates: dims come from the model
        if (count > Array.MaxLength)
        {
            throw new ModelToolException(ToolErrorCodes.InputTypeUnsupported,
                $"Input {ModelText.Quote(input.Name)} would need {count} elements with shape [{string.Join(", ", shape)}]: too large for a sample.");
        }

        bool image = SampleShapes.ImageChannelsAxis(tensor) >= 0
            || shape.Length == 4 && type is TensorElementType.UInt8 && (shape[1] is 1 or 3 or 4 || shape[3] is 1 or 3 or 4);
        return new InputSpec(input.Name, type, shape, count, image, bounds.TryGetValue(input.Name, out long b) ? b : null,
            input.Name.Contains("mask", StringComparison.OrdinalIgnoreCase));
    }

    private static SampleTensor Tensor(InputSpec spec, SampleRandom random)
    {
        int n = (int)spec.Count;
        long bound = spec.Bound ?? (spec.Image ? 256 : DefaultIntegerBound);
        long Integer() => spec.Mask ? 1 : random.NextBelow(bound);
        double Real() => spec.Image ? random.NextDouble() : random.NextNormal();

        Array data = spec.Type switch
        {
            TensorElementType.Float => Fill(n, () => (float)Real()),
            TensorElementType.Double => Fill(n, Real),
            TensorElementType.Float16 => Fill(n, () => (Float16)(float)Real()),
            TensorElementType.BFloat16 => Fill(n, () => (BFloat16)(float)Real()),
            TensorElementType.Int8 => Fill(n, () => (sbyte)Math.Min(Integer(), sbyte.MaxValue)),
            TensorElementType.UInt8 => Fill(n, () => (byte)Math.Min(Integer(), byte.MaxValue)),
            TensorElementType.Int16 => Fill(n, () => (short)Math.Min(Integer(), short.MaxValue)),
            TensorElementType.UInt16 => Fill(n, () => (ushort)Math.Min(Integer(), ushort.MaxValue)),
            TensorElementType.Int32 => Fill(n, () => (int)Math.Min(Integer(), int.MaxValue)),
            TensorElementType.UInt32 => Fill(n, () => (uint)Math.Min(Integer(), uint.MaxValue)),
            TensorElementType.Int64 => Fill(n, Integer),
            TensorElementType.UInt64 => Fill(n, () => (ulong)Integer()),
            TensorElementType.Bool => Fill(n, () => (random.NextUInt64() >> 63) == 1),
            TensorElementType.String => Fill(n, () => Word(random)),
            _ => throw new InvalidOperationException($"Element type {spec.Type} passed the support check but has no generator."),
        };
        return new SampleTensor(spec.Name, spec.Type, (long[])spec.Shape.Clone(), data);
    }

    private static T[] Fill<T>(int count, Func<T> next)
    {
        var values = new T[count];
        for (int i = 0; i < count; i++) values[i] = next();
        return values;
    }

    private static string Word(SampleRandom random)
    {
        var chars = new char[1 + random.NextBelow(8)];
        for (int i = 0; i < chars.Length; i++) chars[i] = (char)('a' + random.NextBelow(26));
        return new string(chars);
    }
}
