using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Runtime;

/// <summary>
/// The inputs of one model run. Create one per call (it is not thread-safe), add every input with
/// <see cref="Add{T}(int, DenseTensor{T})"/>, pass it to <see cref="ModelSession.Run(ModelInputs)"/> and dispose it
/// afterwards. Numeric tensors are pinned and handed to ONNX Runtime without a copy: their buffers must not change
/// until the run completes.
/// </summary>
public sealed class ModelInputs : IDisposable
{
    private readonly OrtValue?[] _values;
    private readonly int[]?[] _dims;
    private bool _disposed;

    /// <summary>Creates an empty set of inputs for a model.</summary>
    /// <param name="description">The description of the model the inputs are for.</param>
    public ModelInputs(ModelDescription description)
    {
        ArgumentNullException.ThrowIfNull(description);
        Description = description;
        _values = new OrtValue?[description.Inputs.Count];
        _dims = new int[]?[description.Inputs.Count];
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
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _values.Length);

        var input = Description.Inputs[index];
        if (_values[index] is not null)
        {
            throw new ArgumentException($"Input '{input.Name}' was already added.", nameof(index));
        }

        var expectedType = ElementTypes.ClrTypeOf(input.ElementType)
            ?? throw new ArgumentException(
                $"Input '{input.Name}' has element type '{input.ElementType}', which ModelBuild.Runtime cannot pass to ONNX Runtime.",
                nameof(tensor));
        if (typeof(T) != expectedType)
        {
            throw new ArgumentException(
                $"Input '{input.Name}' expects elements of type {input.ElementType} (C# {ElementTypes.CSharpName(expectedType)}) " +
                $"but got a DenseTensor<{ElementTypes.CSharpName(typeof(T))}>.",
                nameof(tensor));
        }

        int[] dims = tensor.Dimensions.ToArray();
        CheckShape(input, dims);

        if (tensor.IsReversedStride)
        {
            tensor = ToRowMajor(tensor, dims);
        }

        _values[index] = Wrap(tensor, dims);
        _dims[index] = dims;
    }

    private static void CheckShape(ValueDescription input, int[] dims)
    {
        var shape = input.Shape;
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
                $"Input '{input.Name}' expects shape {ShapeText.Format(shape)} but got {ShapeText.Format(dims)}.", "tensor");
        }
    }

    private static OrtValue Wrap<T>(DenseTensor<T> tensor, int[] dims)
    {
        long[] shape = Array.ConvertAll(dims, d => (long)d);
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

    /// <summary>Checks that every input is present and that symbolic dimensions agree, then returns the values in input order.</summary>
    internal OrtValue[] GetValidatedValues()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var missing = new List<string>();
        for (int i = 0; i < _values.Length; i++)
        {
            if (_values[i] is null)
            {
                missing.Add($"'{Description.Inputs[i].Name}'");
            }
        }

        if (missing.Count > 0)
        {
            throw new ArgumentException(
                $"Model '{Description.ClassName}' needs {(missing.Count == 1 ? "input" : "inputs")} {string.Join(", ", missing)}, which {(missing.Count == 1 ? "was" : "were")} not added.",
                "inputs");
        }

        CheckSymbols();
        return _values!;
    }

    private void CheckSymbols()
    {
        var seen = new Dictionary<string, (int Size, string Input, int Axis)>(StringComparer.Ordinal);
        for (int i = 0; i < _values.Length; i++)
        {
            var input = Description.Inputs[i];
            var shape = input.Shape;
            var dims = _dims[i]!;
            if (shape is null)
            {
                continue;
            }

            for (int axis = 0; axis < shape.Count; axis++)
            {
                if (!shape[axis].IsSymbolic)
                {
                    continue;
                }

                string symbol = shape[axis].Symbol!;
                if (!seen.TryGetValue(symbol, out var first))
                {
                    seen.Add(symbol, (dims[axis], input.Name, axis));
                }
                else if (first.Size != dims[axis])
                {
                    throw new ArgumentException(
                        $"Dimension '{symbol}' must have the same size everywhere, but input '{first.Input}' has {first.Size} (axis {first.Axis}) " +
                        $"and input '{input.Name}' has {dims[axis]} (axis {axis}).",
                        "inputs");
                }
            }
        }
    }

    /// <summary>For tests and diagnostics: the native value created for an input.</summary>
    internal OrtValue? GetValue(int index) => _values[index];

    /// <summary>Releases the native values and unpins the tensors' buffers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i]?.Dispose();
            _values[i] = null;
        }
    }
}
