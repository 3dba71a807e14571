using System.Collections;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.EndToEnd.Tests.Conformance;

/// <summary>The same case through ONNX Runtime's C# API called directly on the source model: the baseline.</summary>
public static class DirectRunner
{
    public static object?[] Run(BackendCase backendCase, object?[] inputs)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        using var session = new InferenceSession(backendCase.ModelPath, options);
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            for (int i = 0; i < inputs.Length; i++)
            {
                if (inputs[i] is object value)
                {
                    names.Add(backendCase.Inputs[i].Name);
                    values.Add(ToOrtValue(value));
                }
            }

            var outputNames = backendCase.Model.Graph.Output.Select(o => o.Name).ToArray();
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, names, values, outputNames);
            return results.Select(FromOrtValue).ToArray();
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    private static OrtValue ToOrtValue(object value)
    {
        if (value is TensorBase tensor)
        {
            return FromTensor(tensor);
        }

        var items = ((IEnumerable)value).Cast<TensorBase>().Select(FromTensor).ToList();
        try
        {
            return OrtValue.CreateSequence(items);
        }
        finally
        {
            items.ForEach(i => i.Dispose());
        }
    }

    private static OrtValue FromTensor(TensorBase tensor) => tensor is DenseTensor<string> strings
        ? OrtValue.CreateFromStringTensor(strings)
        : (OrtValue)typeof(DirectRunner).GetMethod(nameof(FromNumeric), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(tensor.GetType().GenericTypeArguments[0]).Invoke(null, [tensor])!;

    private static OrtValue FromNumeric<T>(DenseTensor<T> tensor) where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(tensor.Buffer.ToArray(), tensor.Dimensions.ToArray().Select(d => (long)d).ToArray());

    private static object? FromOrtValue(OrtValue value)
    {
        switch (value.OnnxType)
        {
            case OnnxValueType.ONNX_TYPE_TENSOR:
                return CopyTensor(value);
            case OnnxValueType.ONNX_TYPE_SEQUENCE:
            {
                var items = new List<object?>();
                for (int i = 0; i < value.GetValueCount(); i++)
                {
                    using var item = value.GetValue(i, OrtAllocator.DefaultInstance);
                    items.Add(FromOrtValue(item));
                }

                return items;
            }

            default:
                throw new UnsupportedCaseException($"{value.OnnxType} outputs are not read by the direct harness");
        }
    }

    private static object CopyTensor(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        int[] dims = info.Shape.Select(d => checked((int)d)).ToArray();
        if (info.ElementDataType == TensorElementType.String)
        {
            return new DenseTensor<string>(value.GetStringTensorAsArray(), dims);
        }

        Type clr = info.ElementDataType switch
        {
            TensorElementType.Float => typeof(float),
            TensorElementType.Double => typeof(double),
            TensorElementType.Int8 => typeof(sbyte),
            TensorElementType.UInt8 => typeof(byte),
            TensorElementType.Int16 => typeof(short),
            TensorElementType.UInt16 => typeof(ushort),
            TensorElementType.Int32 => typeof(int),
            TensorElementType.UInt32 => typeof(uint),
            TensorElementType.Int64 => typeof(long),
            TensorElementType.UInt64 => typeof(ulong),
            TensorElementType.Bool => typeof(bool),
            TensorElementType.Float16 => typeof(Float16),
            TensorElementType.BFloat16 => typeof(BFloat16),
            var other => throw new UnsupportedCaseException($"element type {other}"),
        };
        return typeof(DirectRunner).GetMethod(nameof(Copy), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(clr).Invoke(null, [value, dims])!;
    }

    private static DenseTensor<T> Copy<T>(OrtValue value, int[] dims) where T : unmanaged =>
        new(value.GetTensorDataAsSpan<T>().ToArray(), dims);
}
