using System.Runtime.CompilerServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Runtime;

/// <summary>
/// Builds and reads the ONNX Runtime values that are not plain tensors: maps (a keys tensor and a values tensor) and
/// the tensors inside sequences and maps. What is read is copied into managed memory, because ONNX Runtime hands out
/// sequence and map elements as separately allocated values.
/// </summary>
internal static class CompositeValues
{
    public static OrtValue CreateMap<TKey, TValue>(IReadOnlyDictionary<TKey, TValue> map)
        where TKey : notnull
    {
        var keys = new TKey[map.Count];
        var values = new TValue[map.Count];
        int i = 0;
        foreach (var pair in map)
        {
            keys[i] = pair.Key;
            values[i++] = pair.Value;
        }

        OrtValue? keyValue = null;
        OrtValue? valueValue = null;
        try
        {
            keyValue = CreateVector(keys);
            valueValue = CreateVector(values);
            // On success the map owns both tensors and the references are set to null.
            return OrtValue.CreateMap(ref keyValue, ref valueValue);
        }
        finally
        {
            keyValue?.Dispose();
            valueValue?.Dispose();
        }
    }

    private static OrtValue CreateVector<T>(T[] items) => items switch
    {
        string[] s => OrtValue.CreateFromStringTensor(new DenseTensor<string>(s, [s.Length])),
        long[] l => OrtValue.CreateTensorValueFromMemory(l, [l.Length]),
        float[] f => OrtValue.CreateTensorValueFromMemory(f, [f.Length]),
        double[] d => OrtValue.CreateTensorValueFromMemory(d, [d.Length]),
        _ => throw new ArgumentException($"ONNX Runtime maps cannot hold {typeof(T)}."),
    };

    public static IReadOnlyDictionary<TKey, TValue> ReadMap<TKey, TValue>(OrtValue map, string name)
        where TKey : notnull
    {
        Expect(map, OnnxValueType.ONNX_TYPE_MAP, name);
        using var keys = map.GetValue(0, OrtAllocator.DefaultInstance);
        using var values = map.GetValue(1, OrtAllocator.DefaultInstance);
        var keyArray = ReadTensor<TKey>(keys, name + " keys").Buffer.ToArray();
        var valueArray = ReadTensor<TValue>(values, name + " values").Buffer.ToArray();
        var result = new Dictionary<TKey, TValue>(keyArray.Length);
        for (int i = 0; i < keyArray.Length; i++)
        {
            result[keyArray[i]] = valueArray[i];
        }

        return result;
    }

    public static IReadOnlyList<T> ReadSequence<T>(OrtValue sequence, string name, Func<OrtValue, string, T> readElement)
    {
        Expect(sequence, OnnxValueType.ONNX_TYPE_SEQUENCE, name);
        int count = sequence.GetValueCount();
        var result = new T[count];
        for (int i = 0; i < count; i++)
        {
            using var element = sequence.GetValue(i, OrtAllocator.DefaultInstance);
            result[i] = readElement(element, $"{name}[{i}]");
        }

        return result;
    }

    /// <summary>Copies a tensor value into a new managed <see cref="DenseTensor{T}"/>.</summary>
    public static DenseTensor<T> ReadTensor<T>(OrtValue value, string name)
    {
        Expect(value, OnnxValueType.ONNX_TYPE_TENSOR, name);
        var info = value.GetTensorTypeAndShape();
        int[] dims = CheckedDims(info, typeof(T), name, static () => $"{ElementTypes.CSharpName(typeof(T))} was asked for", out int count);
        if (typeof(T) == typeof(string))
        {
            return (DenseTensor<T>)(object)new DenseTensor<string>(value.GetStringTensorAsArray(), dims);
        }

        var data = new T[count];
        var raw = value.GetTensorMutableRawData();
        if (raw.Length > 0)
        {
            Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref data[0]), ref raw[0], (uint)raw.Length);
        }

        return new DenseTensor<T>(data, dims);
    }

    /// <summary>
    /// Checks the element type against <paramref name="clr"/> and returns dims that a DenseTensor can hold;
    /// <paramref name="asked"/> says what the caller asked for, in the error message only.
    /// </summary>
    public static int[] CheckedDims(OrtTensorTypeAndShapeInfo info, Type clr, string name, Func<string> asked, out int count)
    {
        var actualType = ElementTypes.ClrTypeOf(info.ElementDataType);
        if (actualType != clr)
        {
            string actual = actualType is null
                ? ElementTypes.NameOf(info.ElementDataType)
                : $"{ElementTypes.NameOf(info.ElementDataType)} (C# {ElementTypes.CSharpName(actualType)})";
            throw new InvalidOperationException(
                $"Output '{name}' holds {actual} elements, but {asked()}.");
        }

        long[] shape = info.Shape;
        var dims = new int[shape.Length];
        long total = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0 || shape[i] > int.MaxValue)
            {
                throw new InvalidOperationException($"Output '{name}' has dimension {shape[i]}, which a DenseTensor cannot hold.");
            }

            dims[i] = (int)shape[i];
            total *= shape[i];
            if (total > int.MaxValue)
            {
                throw new InvalidOperationException($"Output '{name}' has more than {int.MaxValue} elements, which a DenseTensor cannot hold.");
            }
        }

        count = (int)total;
        return dims;
    }

    private static void Expect(OrtValue value, OnnxValueType type, string name)
    {
        if (value.OnnxType != type)
        {
            throw new InvalidOperationException($"Output '{name}' is a {value.OnnxType} value, not a {type}.");
        }
    }
}
