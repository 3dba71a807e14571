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
/// <item>inputs the graph constrains (indices, shape operands, divisors, thresholds: <see cref="InputConstraints"/>):
/// values that fit; other integers: all ones for names containing "mask"; [0, 256) for 8-bit image-like inputs;
/// otherwise [0, 10);</item>
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

        var resolved = Resolve(graph, options);
        var rules = InputConstraints.Find(graph, resolved.ToDictionary(r => r.Input.Name, r => r.Shape, StringComparer.Ordinal));
        var specs = resolved.Select(r => Spec(r.Input, r.Tensor, r.Shape, rules.GetValueOrDefault(r.Input.Name))).ToList();

        var random = new SampleRandom(unchecked((ulong)seed));
        var sets = new List<SampleSet>(count);
        for (int i = 0; i < count; i++)
        {
            sets.Add(new SampleSet([.. specs.Select(spec => Tensor(spec, random))]));
        }
        return sets;
    }

    /// <summary>The sample shape of each feedable input under <paramref name="options"/>, without making data.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Shapes(ModelProto model, SampleShapeOptions options) =>
        [.. Resolve(model.Graph, options).Select(r => (r.Input.Name, r.Shape))];

    private static List<(ValueInfoProto Input, TypeProto.Types.Tensor Tensor, long[] Shape)> Resolve(GraphProto graph, SampleShapeOptions options)
    {
        var shapes = new SampleShapes(options);
        var inputs = FeedableInputs(graph).ToList();
        shapes.BindGiven(inputs);
        return [.. inputs.Select(input => (input, TensorType(input))).Select(i => (i.input, i.Item2, shapes.Resolve(i.input.Name, i.Item2)))];
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

    private sealed record InputSpec(string Name, TensorElementType Type, long[] Shape, long Count, bool Image, InputRule? Rule, bool Mask);

    private static InputSpec Spec(ValueInfoProto input, TypeProto.Types.Tensor tensor, long[] shape, InputRule? rule)
    {
        TensorElementType type = SampleElementTypes.FromOnnx(tensor.ElemType, $"Input {ModelText.Quote(input.Name)}");
        long count = shape.Aggregate(1L, Budgets.TensorSizePlanner.Multiply); // saturates: dims come from the model
        if (count > Array.MaxLength)
        {
            throw new ModelToolException(ToolErrorCodes.InputTypeUnsupported,
                $"Input {ModelText.Quote(input.Name)} would need {count} elements with shape [{string.Join(", ", shape)}]: too large for a sample.");
        }

        bool image = SampleShapes.ImageChannelsAxis(tensor) >= 0
            || shape.Length == 4 && type is TensorElementType.UInt8 && (shape[1] is 1 or 3 or 4 || shape[3] is 1 or 3 or 4);
        if (rule is { Fill: ValueFill.NumberText } && type != TensorElementType.String)
        {
            rule = null; // only text needs to look like a number
        }
        return new InputSpec(input.Name, type, shape, count, image, rule, input.Name.Contains("mask", StringComparison.OrdinalIgnoreCase));
    }

    private static SampleTensor Tensor(InputSpec spec, SampleRandom random)
    {
        int n = (int)spec.Count;
        InputRule? rule = spec.Rule;
        int index = 0;
        long Fixed() => rule!.FixedValue(index++ % n, n);
        bool fixedFill = rule is { Fill: not (ValueFill.Random or ValueFill.NumberText) };
        long low = rule?.Low ?? 0;
        long bound = rule?.Below ?? (spec.Image ? 256 : DefaultIntegerBound);
        long Integer() => fixedFill ? Fixed() : spec.Mask && rule is null ? 1 : low + random.NextBelow(Math.Max(1, bound - low));
        double Real() => fixedFill ? Fixed()
            : rule?.Below is long below ? rule.Low + random.NextDouble() * (below - rule.Low)
            : spec.Image ? random.NextDouble() : random.NextNormal();

        Array data = spec.Type switch
        {
            TensorElementType.Float => Fill(n, () => (float)Real()),
            TensorElementType.Double => Fill(n, Real),
            TensorElementType.Float16 => Fill(n, () => (Float16)(float)Real()),
            TensorElementType.BFloat16 => Fill(n, () => (BFloat16)(float)Real()),
            TensorElementType.Int8 => Fill(n, () => (sbyte)Math.Clamp(Integer(), sbyte.MinValue, sbyte.MaxValue)),
            TensorElementType.UInt8 => Fill(n, () => (byte)Math.Clamp(Integer(), 0, byte.MaxValue)),
            TensorElementType.Int16 => Fill(n, () => (short)Math.Clamp(Integer(), short.MinValue, short.MaxValue)),
            TensorElementType.UInt16 => Fill(n, () => (ushort)Math.Clamp(Integer(), 0, ushort.MaxValue)),
            TensorElementType.Int32 => Fill(n, () => (int)Math.Clamp(Integer(), int.MinValue, int.MaxValue)),
            TensorElementType.UInt32 => Fill(n, () => (uint)Math.Clamp(Integer(), 0, uint.MaxValue)),
            TensorElementType.Int64 => Fill(n, Integer),
            TensorElementType.UInt64 => Fill(n, () => (ulong)Math.Max(0, Integer())),
            TensorElementType.Bool => Fill(n, () => fixedFill ? Fixed() != 0 : (random.NextUInt64() >> 63) == 1),
            TensorElementType.String => Fill(n, () => rule is null ? Word(random) : Integer().ToString(System.Globalization.CultureInfo.InvariantCulture)),
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
