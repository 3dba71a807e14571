using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Runtime;

/// <summary>
/// The inputs of one model run. Create one per call (it is not thread-safe), add every input with
/// <see cref="Add{T}(int, DenseTensor{T})"/>, <see cref="AddSequence{T}(int, IReadOnlyList{DenseTensor{T}})"/> or
/// <see cref="AddMap{TKey, TValue}(int, IReadOnlyDictionary{TKey, TValue})"/> (an optional input may be left out: it is
/// not fed), pass it to <see cref="ModelSession.Run(ModelInputs)"/> and dispose it
/// afterwards. Numeric tensors are pinned and handed to ONNX Runtime without a copy: their buffers must not change
/// until the run completes.
/// </summary>
public sealed class ModelInputs : IDisposable
{
    private readonly InputCache _cache;
    private readonly InputEntry[] _entries;   // one per model input
    private bool _disposed;

    /// <summary>Creates an empty set of inputs for a model.</summary>
    /// <param name="description">The description of the model the inputs are for.</param>
    public ModelInputs(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        Description = description;
        _cache = description.InputCache;
        _entries = new InputEntry[description.Inputs.Count];
    }

    /// <summary>Gets the description of the model the inputs are for.</summary>
    public ModelDescription Description { get; }

    /// <summary>
    /// Adds the tensor for input <paramref name="index"/> (an index into <see cref="ModelDescription.Inputs"/>).
    /// The element type, the rank and every fixed dimension are checked against the description before any native
    /// call. Numeric, <see cref="bool"/>, <see cref="Float16"/> and <see cref="BFloat16"/> tensors are pinned and
    /// passed without a copy (a reverse-stride tensor is copied into row-major order first); string tensors are
    /// converted.
    /// </summary>
    /// <typeparam name="T">The C# element type; must match the input's element type exactly (e.g. <see cref="float"/> for <c>float</c>, <see cref="long"/> for <c>int64</c>).</typeparam>
    /// <param name="index">The input index in <see cref="ModelDescription.Inputs"/>.</param>
    /// <param name="tensor">The tensor.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not an input index.</exception>
    /// <exception cref="ArgumentException">The element type or shape does not match, or the input was already added.</exception>
    public void Add<T>(int index, DenseTensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var input = Reserve(index);
        // Messages are built only on failure (static lambdas are cached): a run should allocate as little as possible.
        var type = Unwrap(input.Type, ValueKind.Tensor, input, static () => $"DenseTensor<{ElementTypes.CSharpName(typeof(T))}>");
        CheckElementType<T>(input, type.ElementType, "elements", static () => $"a DenseTensor<{ElementTypes.CSharpName(typeof(T))}>");
        CheckShape(input.Name, type.Shape, tensor.Dimensions);
        long[] shape = _cache.ShapeFor(index, tensor.Dimensions);
        _entries[index] = new InputEntry(Wrap(tensor, shape), shape);
    }

    /// <summary>
    /// Adds the sequence for input <paramref name="index"/>, an ONNX <c>sequence(tensor)</c> (or an optional one). Each
    /// element is checked like a tensor input (element type, rank, fixed dimensions) and pinned; ONNX Runtime cannot
    /// build an empty sequence value, so an empty list is refused.
    /// </summary>
    /// <typeparam name="T">The C# element type of every tensor in the sequence.</typeparam>
    /// <param name="index">The input index in <see cref="ModelDescription.Inputs"/>.</param>
    /// <param name="tensors">The tensors, in order.</param>
    /// <exception cref="ArgumentException">The input is not a sequence of such tensors, an element does not match, the list is empty, or the input was already added.</exception>
    public void AddSequence<T>(int index, IReadOnlyList<DenseTensor<T>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var input = Reserve(index);
        var type = Unwrap(input.Type, ValueKind.Sequence, input, static () => $"sequence of DenseTensor<{ElementTypes.CSharpName(typeof(T))}>");
        var element = type.Element!;
        if (element.Kind != ValueKind.Tensor)
        {
            throw new ArgumentException($"Input '{input.Name}' is a {input.Type}, not a sequence of tensors.", nameof(tensors));
        }

        CheckElementType<T>(input, element.ElementType, "sequence elements", static () => $"DenseTensor<{ElementTypes.CSharpName(typeof(T))}> elements");
        if (tensors.Count == 0)
        {
            throw new ArgumentException(
                $"Input '{input.Name}' is an empty sequence, which ONNX Runtime's API cannot create; pass at least one tensor.", nameof(tensors));
        }

        var items = new List<OrtValue>(tensors.Count);
        try
        {
            for (int i = 0; i < tensors.Count; i++)
            {
                var tensor = tensors[i] ?? throw new ArgumentException($"Input '{input.Name}' has a null element at {i}.", nameof(tensors));
                CheckShape($"{input.Name}[{i}]", element.Shape, tensor.Dimensions);
                items.Add(Wrap(tensor, InputCache.ToShape(tensor.Dimensions)));
            }

            // On success the sequence owns the elements (and their pins) and clears the list.
            _entries[index] = new InputEntry(OrtValue.CreateSequence(items), null);
        }
        finally
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }

    /// <summary>
    /// Adds the map for input <paramref name="index"/>, an ONNX <c>map(K, tensor(V))</c>. The keys and values are copied
    /// into two tensors in the dictionary's enumeration order.
    /// </summary>
    /// <typeparam name="TKey"><see cref="long"/> or <see cref="string"/>.</typeparam>
    /// <typeparam name="TValue"><see cref="float"/>, <see cref="double"/>, <see cref="long"/> or <see cref="string"/>.</typeparam>
    /// <param name="index">The input index in <see cref="ModelDescription.Inputs"/>.</param>
    /// <param name="map">The map.</param>
    /// <exception cref="ArgumentException">The input is not such a map, or it was already added.</exception>
    public void AddMap<TKey, TValue>(int index, IReadOnlyDictionary<TKey, TValue> map)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(map);
        var input = Reserve(index);
        var type = Unwrap(input.Type, ValueKind.Map, input, static () => $"map of {ElementTypes.CSharpName(typeof(TKey))} to {ElementTypes.CSharpName(typeof(TValue))}");
        CheckElementType<TKey>(input, type.KeyType, "map keys", static () => $"{ElementTypes.CSharpName(typeof(TKey))} keys");
        CheckElementType<TValue>(input, type.Element!.ElementType, "map values", static () => $"{ElementTypes.CSharpName(typeof(TValue))} values");
        _entries[index] = new InputEntry(CompositeValues.CreateMap(map), null);
    }

    private ValueDescription Reserve(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _entries.Length);
        var input = Description.Inputs[index];
        if (_entries[index].Value is not null)
        {
            throw new ArgumentException($"Input '{input.Name}' was already added.", nameof(index));
        }

        return input;
    }

    // An optional input takes its element's value directly: ONNX Runtime accepts a tensor or sequence there.
    private static TypeDescription Unwrap(TypeDescription type, ValueKind kind, ValueDescription input, Func<string> given)
    {
        var actual = type.Kind == ValueKind.Optional ? type.Element! : type;
        if (actual.Kind != kind || (kind == ValueKind.Map && actual.Element!.Kind != ValueKind.Tensor))
        {
            throw new ArgumentException($"Input '{input.Name}' is a {input.Type}, but a {given()} was given.", "value");
        }

        return actual;
    }

    private static void CheckElementType<T>(ValueDescription input, string elementType, string what, Func<string> given)
    {
        var expected = ElementTypes.ClrTypeOf(elementType)
            ?? throw new ArgumentException(
                $"Input '{input.Name}' has {what} of type '{elementType}', which ModelBuild.Runtime cannot pass to ONNX Runtime.", "value");
        if (typeof(T) != expected)
        {
            throw new ArgumentException(
                $"Input '{input.Name}' expects {what} of type {elementType} (C# {ElementTypes.CSharpName(expected)}) but got {given()}.",
                "value");
        }
    }

    private static void CheckShape(string name, IReadOnlyList<Dimension>? shape, ReadOnlySpan<int> dims)
    {
        if (shape is null)
        {
            return;
        }

        bool ok = shape.Count == dims.Length;
        for (int i = 0; ok && i < dims.Length; i++)
        {
            if (shape[i].Value is long fixedSize && fixedSize != dims[i])
            {
                ok = false;
            }
        }

        if (!ok)
        {
            throw new ArgumentException(
                $"Input '{name}' expects shape {ShapeText.Format(shape)} but got {ShapeText.Format(dims)}.", "tensor");
        }
    }

    private static OrtValue Wrap<T>(DenseTensor<T> tensor, long[] shape)
    {
        if (tensor.IsReversedStride)
        {
            tensor = ToRowMajor(tensor, tensor.Dimensions.ToArray());
        }

        int length = checked((int)tensor.Length);
        if (typeof(T) == typeof(string))
        {
            return OrtValue.CreateFromStringTensor((Tensor<string>)(object)tensor);
        }

        return tensor switch
        {
            DenseTensor<float> t => Pin(t, length, shape),
            DenseTensor<double> t => Pin(t, length, shape),
            DenseTensor<sbyte> t => Pin(t, length, shape),
            DenseTensor<byte> t => Pin(t, length, shape),
            DenseTensor<short> t => Pin(t, length, shape),
            DenseTensor<ushort> t => Pin(t, length, shape),
            DenseTensor<int> t => Pin(t, length, shape),
            DenseTensor<uint> t => Pin(t, length, shape),
            DenseTensor<long> t => Pin(t, length, shape),
            DenseTensor<ulong> t => Pin(t, length, shape),
            DenseTensor<bool> t => Pin(t, length, shape),
            DenseTensor<Float16> t => Pin(t, length, shape),
            DenseTensor<BFloat16> t => Pin(t, length, shape),
            _ => throw new ArgumentException($"Element type {typeof(T)} is not supported.", nameof(tensor)),
        };
    }

    // OrtValue pins the memory (Memory<T>.Pin) and keeps the MemoryHandle until the OrtValue is disposed.
    private static OrtValue Pin<T>(DenseTensor<T> tensor, int length, long[] shape) where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tensor.Buffer[..length], shape);

    private static DenseTensor<T> ToRowMajor<T>(DenseTensor<T> source, int[] dims)
    {
        var result = new DenseTensor<T>(dims);
        if (result.Length == 0)
        {
            return result;
        }

        var index = new int[dims.Length];
        var span = result.Buffer.Span;
        for (int linear = 0; linear < span.Length; linear++)
        {
            span[linear] = source[index];
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                if (++index[d] < dims[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }

        return result;
    }

    /// <summary>Checks that every required input is present and that symbolic dimensions agree.</summary>
    internal void Validate()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<string>? missing = null;   // allocated only on the error path: Run should allocate as little as possible
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Value is null && !Description.Inputs[i].IsOptional)
            {
                (missing ??= []).Add($"'{Description.Inputs[i].Name}'");
            }
        }

        if (missing is not null)
        {
            throw new ArgumentException(
                $"Model '{Description.ClassName}' needs {(missing.Count == 1 ? "input" : "inputs")} {string.Join(", ", missing)}, which {(missing.Count == 1 ? "was" : "were")} not added.",
                "inputs");
        }

        if (_cache.SymbolsRepeat)
        {
            CheckSymbols();
        }
    }

    /// <summary>The names and values to feed, in input order (an optional input that was not added is left out).</summary>
    internal (string[] Names, OrtValue[] Values) GetValues()
    {
        int present = _entries.Count(e => e.Value is not null);
        var names = new string[present];
        var values = new OrtValue[present];
        for (int i = 0, j = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Value is OrtValue value)
            {
                names[j] = Description.Inputs[i].Name;
                values[j++] = value;
            }
        }

        return (names, values);
    }

    /// <summary>Binds every input that was added (an optional input that was not is left unbound, so not fed).</summary>
    internal void BindTo(OrtIoBinding binding)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Value is OrtValue value)
            {
                binding.BindInput(Description.Inputs[i].Name, value);
            }
        }
    }

    // Compares each symbolic axis with the first earlier axis of the same name: a few axes at most, so a pairwise scan
    // is cheaper than a dictionary and allocates nothing on every run.
    private void CheckSymbols()
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            var shape = Description.Inputs[i].Shape;
            var dims = _entries[i].Shape;
            for (int axis = 0; shape is not null && dims is not null && axis < shape.Count; axis++)
            {
                if (shape[axis].IsSymbolic && FirstWithSymbol(shape[axis].Symbol!, i, axis) is (int j, int firstAxis)
                    && _entries[j].Shape![firstAxis] != dims[axis])
                {
                    throw new ArgumentException(
                        $"Dimension '{shape[axis].Symbol}' must have the same size everywhere, but input '{Description.Inputs[j].Name}' has " +
                        $"{_entries[j].Shape![firstAxis]} (axis {firstAxis}) and input '{Description.Inputs[i].Name}' has {dims[axis]} (axis {axis}).",
                        "inputs");
                }
            }
        }
    }

    /// <summary>The first tensor axis named <paramref name="symbol"/> before input <paramref name="input"/>'s <paramref name="axis"/>.</summary>
    private (int Input, int Axis)? FirstWithSymbol(string symbol, int input, int axis)
    {
        for (int j = 0; j <= input; j++)
        {
            var shape = Description.Inputs[j].Shape;
            if (shape is null || _entries[j].Shape is null)
            {
                continue;
            }

            int end = j == input ? axis : shape.Count;
            for (int k = 0; k < end; k++)
            {
                if (shape[k].IsSymbolic && shape[k].Symbol == symbol)
                {
                    return (j, k);
                }
            }
        }

        return null;
    }

    /// <summary>For tests and diagnostics: the native value created for an input.</summary>
    internal OrtValue? GetValue(int index) => _entries[index].Value;

    /// <summary>Releases the native values and unpins the tensors' buffers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Clear();
    }

    /// <summary>Releases every value added so far and starts again from no inputs (for reuse by <see cref="ModelSession"/>).</summary>
    internal void Clear()
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            _entries[i].Value?.Dispose();
        }

        Array.Clear(_entries);
    }
}

/// <summary>An input's native value and, for a tensor, the shape it was created with.</summary>
internal readonly record struct InputEntry(OrtValue? Value, long[]? Shape);
