using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Verification;

/// <summary>Turns a TensorProto into a <see cref="SampleTensor"/>'s array: raw_data (little-endian) or the typed repeated fields.</summary>
internal static class TensorProtoDecoder
{
    /// <exception cref="InvalidDataException">The tensor's data does not fit its type and dims (the message says how).</exception>
    public static Array Decode(TensorProto tensor, TensorElementType type)
    {
        if (tensor.HasDataLocation && tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new InvalidDataException("its data is stored externally; sample files must hold their data inline");
        }
        if (tensor.Segment is not null)
        {
            throw new InvalidDataException("it is a segment of a larger tensor; segmented tensors are not supported");
        }

        long count = tensor.Dims.Aggregate(1L, (a, d) => d < 0 ? throw new InvalidDataException($"it has a negative dimension {d}") : Budgets.TensorSizePlanner.Multiply(a, d));
        if (count > Array.MaxLength) throw new InvalidDataException($"it has {count} elements, too many for one array");
        int n = (int)count;

        if (tensor.HasRawData)
        {
            if (type == TensorElementType.String) throw new InvalidDataException("a string tensor cannot use raw_data");
            return type switch
            {
                TensorElementType.Float => Raw<float>(tensor.RawData, n),
                TensorElementType.Double => Raw<double>(tensor.RawData, n),
                TensorElementType.Float16 => Raw<ushort>(tensor.RawData, n).Select(b => new Float16(b)).ToArray(),
                TensorElementType.BFloat16 => Raw<ushort>(tensor.RawData, n).Select(b => new BFloat16(b)).ToArray(),
                TensorElementType.Int8 => Raw<sbyte>(tensor.RawData, n),
                TensorElementType.UInt8 => Raw<byte>(tensor.RawData, n),
                TensorElementType.Int16 => Raw<short>(tensor.RawData, n),
                TensorElementType.UInt16 => Raw<ushort>(tensor.RawData, n),
                TensorElementType.Int32 => Raw<int>(tensor.RawData, n),
                TensorElementType.UInt32 => Raw<uint>(tensor.RawData, n),
                TensorElementType.Int64 => Raw<long>(tensor.RawData, n),
                TensorElementType.UInt64 => Raw<ulong>(tensor.RawData, n),
                TensorElementType.Bool => Raw<byte>(tensor.RawData, n).Select(b => b != 0).ToArray(),
                _ => throw new InvalidDataException($"element type {type} is not supported"),
            };
        }

        return type switch
        {
            TensorElementType.Float => Typed(tensor.FloatData, n, "float_data"),
            TensorElementType.Double => Typed(tensor.DoubleData, n, "double_data"),
            TensorElementType.Float16 => Typed(tensor.Int32Data, n, "int32_data").Select(v => new Float16((ushort)v)).ToArray(),
            TensorElementType.BFloat16 => Typed(tensor.Int32Data, n, "int32_data").Select(v => new BFloat16((ushort)v)).ToArray(),
            TensorElementType.Int8 => Typed(tensor.Int32Data, n, "int32_data").Select(v => (sbyte)v).ToArray(),
            TensorElementType.UInt8 => Typed(tensor.Int32Data, n, "int32_data").Select(v => (byte)v).ToArray(),
            TensorElementType.Int16 => Typed(tensor.Int32Data, n, "int32_data").Select(v => (short)v).ToArray(),
            TensorElementType.UInt16 => Typed(tensor.Int32Data, n, "int32_data").Select(v => (ushort)v).ToArray(),
            TensorElementType.Int32 => Typed(tensor.Int32Data, n, "int32_data"),
            TensorElementType.Bool => Typed(tensor.Int32Data, n, "int32_data").Select(v => v != 0).ToArray(),
            TensorElementType.Int64 => Typed(tensor.Int64Data, n, "int64_data"),
            TensorElementType.UInt32 => Typed(tensor.Uint64Data, n, "uint64_data").Select(v => (uint)v).ToArray(),
            TensorElementType.UInt64 => Typed(tensor.Uint64Data, n, "uint64_data"),
            TensorElementType.String => Typed(tensor.StringData, n, "string_data").Select(Utf8).ToArray(),
            _ => throw new InvalidDataException($"element type {type} is not supported"),
        };
    }

    public static string TypeName(int onnxType) =>
        Enum.IsDefined((DataType)onnxType) ? ((DataType)onnxType).ToString().ToLowerInvariant() : $"type {onnxType}";

    // ONNX stores raw_data little-endian, as every platform .NET and ORT run on.
    private static T[] Raw<T>(ByteString raw, int count) where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        if (raw.Length != (long)count * size)
        {
            throw new InvalidDataException($"raw_data has {raw.Length} bytes where its dims need {count} × {size}");
        }
        return MemoryMarshal.Cast<byte, T>(raw.Span).ToArray();
    }

    private static T[] Typed<T>(IReadOnlyList<T> values, int count, string field)
    {
        if (values.Count != count)
        {
            throw new InvalidDataException($"{field} has {values.Count} values where its dims need {count}");
        }
        return [.. values];
    }

    private static string Utf8(ByteString bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.Span);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"a string is not valid UTF-8 ({e.Message})");
        }
    }
}
