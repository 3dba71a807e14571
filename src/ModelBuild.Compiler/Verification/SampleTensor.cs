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
    public OrtValue ToOrtValue() => Data switch
    {
        float[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        double[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        Float16[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        BFloat16[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        sbyte[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        byte[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        short[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        ushort[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        int[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        uint[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        long[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        ulong[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        bool[] a => OrtValue.CreateTensorValueFromMemory(a, Shape),
        string[] a => Strings(a, Shape),
        _ => throw new InvalidOperationException($"Sample '{Name}' holds an unsupported array type {Data.GetType()}."),
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
