using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// One input value: a dense tensor as a plain .NET array (row-major), so samples can be compared, stored and fed
/// to any number of sessions. <see cref="Data"/> is the array type of <see cref="ElementType"/>: float[], double[],
/// Float16[], BFloat16[], sbyte[], byte[], short[], ushort[], int[], uint[], long[], ulong[], bool[] or string[].
/// </summary>
internal sealed record SampleTensor(string Name, TensorElementType ElementType, long[] Shape, Array Data)
{
    /// <summary>An ORT value over <see cref="Data"/> (pinned, not copied; strings are copied). Dispose it.</summary>
    /// <remarks>
    /// Dispatches on <see cref="ElementType"/>, not on the array's type: the CLR lets a byte[] pass as sbyte[] (and
    /// ushort[]/short[], uint[]/int[], ulong[]/long[]), so a type pattern would send unsigned data as signed.
    /// </remarks>
    public OrtValue ToOrtValue() => ElementType switch
    {
        TensorElementType.Float => OrtValue.CreateTensorValueFromMemory((float[])Data, Shape),
        TensorElementType.Double => OrtValue.CreateTensorValueFromMemory((double[])Data, Shape),
        TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory((Float16[])Data, Shape),
        TensorElementType.BFloat16 => OrtValue.CreateTensorValueFromMemory((BFloat16[])Data, Shape),
        TensorElementType.Int8 => OrtValue.CreateTensorValueFromMemory((sbyte[])Data, Shape),
        TensorElementType.UInt8 => OrtValue.CreateTensorValueFromMemory((byte[])Data, Shape),
        TensorElementType.Int16 => OrtValue.CreateTensorValueFromMemory((short[])Data, Shape),
        TensorElementType.UInt16 => OrtValue.CreateTensorValueFromMemory((ushort[])Data, Shape),
        TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory((int[])Data, Shape),
        TensorElementType.UInt32 => OrtValue.CreateTensorValueFromMemory((uint[])Data, Shape),
        TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory((long[])Data, Shape),
        TensorElementType.UInt64 => OrtValue.CreateTensorValueFromMemory((ulong[])Data, Shape),
        TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory((bool[])Data, Shape),
        TensorElementType.String => Strings((string[])Data, Shape),
        _ => throw new InvalidOperationException($"Sample '{Name}' has an unsupported element type {ElementType}."),
    };

    private static OrtValue Strings(string[] values, long[] shape)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (int i = 0; i < values.Length; i++)
        {
            value.StringTensorSetElementAt(values[i].AsSpan(), i);
        }
        return value;
    }
}

/// <summary>The values of all inputs for one run of a model.</summary>
internal sealed record SampleSet(IReadOnlyList<SampleTensor> Inputs);
