using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Runtime;

/// <summary>
/// The outputs of one model run. It owns the native output values: dispose it when done. Tensors returned by
/// <see cref="GetTensor{T}(int)"/> are views over that native memory (except string tensors, which are copied);
/// using such a tensor after the results are disposed is undefined behavior (it reads freed memory).
/// </summary>
public sealed class ModelResults : IDisposable
{
    private IDisposableReadOnlyCollection<OrtValue> _values;
    private object?[]? _read;   // what each output was read as, created on the first read: Run allocates only what is used
    private bool _disposed;
    private int _lease;         // for results a session reuses: which lease may read and release them (ModelResultsLease)

    internal ModelResults(ModelDescription description, IDisposableReadOnlyCollection<OrtValue> values)
    {
        Description = description;
        _values = values;
    }

    /// <summary>Gets the description of the model that produced the results.</summary>
    public ModelDescription Description { get; }

    /// <summary>Gets the number of outputs.</summary>
    public int Count => _values.Count;

    private object?[] Read => _read ??= new object?[_values.Count];

    /// <summary>
    /// Returns output <paramref name="index"/> (an index into <see cref="ModelDescription.Outputs"/>) as a
    /// <see cref="DenseTensor{T}"/>. Numeric tensors are views over the native buffer, without a copy, valid until
    /// this object is disposed; string tensors are copied into a <see cref="string"/> array. Repeated calls return
    /// the same tensor instance.
    /// </summary>
    /// <typeparam name="T">The C# element type matching the output's element type (e.g. <see cref="long"/> for <c>int64</c>).</typeparam>
    /// <param name="index">The output index.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not an output index.</exception>
    /// <exception cref="InvalidOperationException">The output is not a tensor, or its element type is not <typeparamref name="T"/>.</exception>
    /// <exception cref="ObjectDisposedException">The results were disposed.</exception>
    public DenseTensor<T> GetTensor<T>(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);

        if (Read[index] is DenseTensor<T> cached)
        {
            return cached;
        }

        var value = Value(index, out string name);
        if (value.OnnxType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw new InvalidOperationException($"Output '{name}' is a {value.OnnxType} value, not a tensor.");
        }

        int[] dims = CompositeValues.CheckedDims(
            value.GetTensorTypeAndShape(), typeof(T), name, static () => $"GetTensor<{ElementTypes.CSharpName(typeof(T))}> was called", out int count);
        DenseTensor<T> tensor;
        if (typeof(T) == typeof(string))
        {
            string[] strings = value.GetStringTensorAsArray();
            tensor = (DenseTensor<T>)(object)new DenseTensor<string>(strings, dims);
        }
        else
        {
            var manager = new NativeMemoryManager<T>(NativeAddress(value), count);
            tensor = new DenseTensor<T>(manager.Memory, dims);
        }

        Read[index] = tensor;
        return tensor;
    }

    /// <summary>
    /// Returns whether output <paramref name="index"/> holds a value: <see langword="false"/> only for an ONNX optional
    /// output that the model left empty.
    /// </summary>
    /// <param name="index">The output index.</param>
    /// <returns>Whether the output has a value.</returns>
    public bool HasValue(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return OrtValues.HasValue(_values.ElementAt(index));
    }

    /// <summary>
    /// Returns output <paramref name="index"/>, an ONNX <c>sequence(tensor)</c>, as a list of tensors copied into managed
    /// memory (ONNX Runtime hands out sequence elements as separate copies). Repeated calls return the same list.
    /// </summary>
    /// <typeparam name="T">The C# element type of the tensors.</typeparam>
    /// <param name="index">The output index.</param>
    /// <returns>The tensors, in order.</returns>
    /// <exception cref="InvalidOperationException">The output is not a sequence of tensors of <typeparamref name="T"/>.</exception>
    public IReadOnlyList<DenseTensor<T>> GetSequence<T>(int index) =>
        Cached(index, (value, name) => CompositeValues.ReadSequence(value, name, CompositeValues.ReadTensor<T>));

    /// <summary>Returns output <paramref name="index"/>, an ONNX <c>map(K, tensor(V))</c>, copied into a dictionary.</summary>
    /// <typeparam name="TKey"><see cref="long"/> or <see cref="string"/>.</typeparam>
    /// <typeparam name="TValue">The C# type of the values.</typeparam>
    /// <param name="index">The output index.</param>
    /// <returns>The map.</returns>
    /// <exception cref="InvalidOperationException">The output is not such a map.</exception>
    public IReadOnlyDictionary<TKey, TValue> GetMap<TKey, TValue>(int index)
        where TKey : notnull =>
        Cached(index, CompositeValues.ReadMap<TKey, TValue>);

    /// <summary>
    /// Returns output <paramref name="index"/>, an ONNX <c>sequence(map(K, tensor(V)))</c> such as the probabilities
    /// of an ONNX-ML classifier after <c>ZipMap</c>, copied into a list of dictionaries.
    /// </summary>
    /// <typeparam name="TKey"><see cref="long"/> or <see cref="string"/>.</typeparam>
    /// <typeparam name="TValue">The C# type of the values.</typeparam>
    /// <param name="index">The output index.</param>
    /// <returns>One dictionary per sequence element.</returns>
    /// <exception cref="InvalidOperationException">The output is not a sequence of such maps.</exception>
    public IReadOnlyList<IReadOnlyDictionary<TKey, TValue>> GetMapSequence<TKey, TValue>(int index)
        where TKey : notnull =>
        Cached(index, (value, name) => CompositeValues.ReadSequence(value, name, CompositeValues.ReadMap<TKey, TValue>));

    private TResult Cached<TResult>(int index, Func<OrtValue, string, TResult> read)
        where TResult : class
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (Read[index] is TResult cached)
        {
            return cached;
        }

        var value = Value(index, out string name);
        var result = read(value, name);
        Read[index] = result;
        return result;
    }

    private OrtValue Value(int index, out string name)
    {
        name = index < Description.Outputs.Count ? Description.Outputs[index].Name : $"#{index}";
        var value = _values.ElementAt(index);
        if (!OrtValues.HasValue(value))
        {
            throw new InvalidOperationException($"Output '{name}' is an optional value that the model left empty; check HasValue first.");
        }

        return value;
    }

    private static unsafe IntPtr NativeAddress(OrtValue value) =>
        (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(value.GetTensorMutableRawData()));

    /// <summary>
    /// Returns the native value of output <paramref name="index"/> (for sequences, maps or direct ONNX Runtime use).
    /// It is owned by this object and disposed with it.
    /// </summary>
    /// <param name="index">The output index.</param>
    /// <returns>The ONNX Runtime value.</returns>
    public OrtValue GetOrtValue(int index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _values.ElementAt(index);
    }

    /// <summary>Frees the native output memory. Tensors obtained from <see cref="GetTensor{T}(int)"/> (except strings) must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_read is not null)
        {
            Array.Clear(_read);
        }

        _values.Dispose();
    }

    /// <summary>The current lease's number (<see cref="ModelResultsLease"/>).</summary>
    internal int Lease => Volatile.Read(ref _lease);

    /// <summary>Takes new values for the next lease of results the session reuses; returns that lease's number.</summary>
    internal int Reuse(IDisposableReadOnlyCollection<OrtValue> values)
    {
        _values = values;
        _disposed = false;
        return Lease;
    }

    /// <summary>
    /// Ends lease <paramref name="lease"/>: disposes the values and returns whether this call ended it (a second call, or
    /// one with an old number, does nothing), in which case the results may be reused.
    /// </summary>
    internal bool EndLease(int lease)
    {
        if (Interlocked.CompareExchange(ref _lease, lease + 1, lease) != lease)
        {
            return false;
        }

        Dispose();
        return true;
    }
}
