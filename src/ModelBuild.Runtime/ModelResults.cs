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
    private readonly IDisposableReadOnlyCollection<OrtValue> _values;
    private readonly object?[] _tensors;
    private bool _disposed;

    internal ModelResults(ModelDescription description, IDisposableReadOnlyCollection<OrtValue> values)
    {
        Description = description;
        _values = values;
        _tensors = new object?[values.Count];
    }

    /// <summary>Gets the description of the model that produced the results.</summary>
    public ModelDescription Description { get; }

    /// <summary>Gets the number of outputs.</summary>
    public int Count => _values.Count;

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
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _tensors.Length);

        if (_tensors[index] is DenseTensor<T> cached)
        {
            return cached;
        }

        var value = _values.ElementAt(index);
        string name = index < Description.Outputs.Count ? Description.Outputs[index].Name : $"#{index}";
        if (value.OnnxType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw new InvalidOperationException($"Output '{name}' is a {value.OnnxType} value, not a tensor.");
        }

        var info = value.GetTensorTypeAndShape();
        var actualType = ElementTypes.ClrTypeOf(info.ElementDataType);
        if (actualType != typeof(T))
        {
            string actual = actualType is null
                ? ElementTypes.NameOf(info.ElementDataType)
                : $"{ElementTypes.NameOf(info.ElementDataType)} (C# {ElementTypes.CSharpName(actualType)})";
            throw new InvalidOperationException(
                $"Output '{name}' holds {actual} elements, but GetTensor<{ElementTypes.CSharpName(typeof(T))}> was called.");
        }

        long[] shape = info.Shape;
        var dims = new int[shape.Length];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0 || shape[i] > int.MaxValue)
            {
                throw new InvalidOperationException($"Output '{name}' has dimension {shape[i]}, which a DenseTensor cannot hold.");
            }

            dims[i] = (int)shape[i];
            count *= shape[i];
            if (count > int.MaxValue)
            {
                throw new InvalidOperationException($"Output '{name}' has more than {int.MaxValue} elements, which a DenseTensor cannot hold.");
            }
        }

        DenseTensor<T> tensor;
        if (typeof(T) == typeof(string))
        {
            string[] strings = value.GetStringTensorAsArray();
            tensor = (DenseTensor<T>)(object)new DenseTensor<string>(strings, dims);
        }
        else
        {
            var manager = new NativeMemoryManager<T>(NativeAddress(value), (int)count);
            tensor = new DenseTensor<T>(manager.Memory, dims);
        }

        _tensors[index] = tensor;
        return tensor;
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
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _tensors.Length);
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
        Array.Clear(_tensors);
        _values.Dispose();
    }
}
