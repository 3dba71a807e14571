using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Onnx.Protos;
using static ModelBuild.Onnx.Protos.TensorProto.Types;

namespace ModelBuild.EndToEnd.Tests.Conformance;

/// <summary>Thrown for test data the harness cannot represent (the case is reported, not run).</summary>
public sealed class UnsupportedCaseException(string message) : Exception(message);

/// <summary>
/// Reads the backend tests' <c>input_*.pb</c>/<c>output_*.pb</c> into managed values: a <see cref="DenseTensor{T}"/>,
/// a <c>DenseTensor&lt;T&gt;[]</c> for a sequence, or null for an empty optional. The file's message type follows the
/// model's declared type (TensorProto, or SequenceProto/OptionalProto from onnx-data.proto, read by field number
/// because ModelBuild.Onnx compiles only onnx.proto).
/// </summary>
public static class ProtoValues
{
    public static object? Read(byte[] bytes, TypeProto type) => type.ValueCase switch
    {
        TypeProto.ValueOneofCase.TensorType => ToTensor(AsDeclared(TensorProto.Parser.ParseFrom(bytes), type.TensorType.ElemType)),
        TypeProto.ValueOneofCase.SequenceType => ReadSequence(bytes, type.SequenceType.ElemType),
        TypeProto.ValueOneofCase.OptionalType => ReadOptional(bytes, type.OptionalType.ElemType),
        var other => throw new UnsupportedCaseException($"{other} values are not read by this harness"),
    };

    private static object ReadSequence(byte[] bytes, TypeProto elementType)
    {
        var tensors = new List<TensorProto>();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 3: tensors.Add(TensorProto.Parser.ParseFrom(input.ReadBytes())); break;
                case 4: case 5: case 6: case 7: throw new UnsupportedCaseException("a sequence of non-tensors");
                default: input.SkipLastField(); break;
            }
        }

        if (elementType.ValueCase != TypeProto.ValueOneofCase.TensorType)
        {
            throw new UnsupportedCaseException("a sequence of non-tensors");
        }

        Type clr = ClrType(elementType.TensorType.ElemType);
        var array = Array.CreateInstance(typeof(DenseTensor<>).MakeGenericType(clr), tensors.Count);
        for (int i = 0; i < tensors.Count; i++)
        {
            array.SetValue(ToTensor(tensors[i]), i);
        }

        return array;
    }

    private static object? ReadOptional(byte[] bytes, TypeProto elementType)
    {
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 3: return ToTensor(TensorProto.Parser.ParseFrom(input.ReadBytes()));
                case 5: return ReadSequence(input.ReadBytes().ToByteArray(), elementType.SequenceType.ElemType);
                case 4: case 6: case 7: throw new UnsupportedCaseException("an optional of a sparse tensor, map or optional");
                default: input.SkipLastField(); break;
            }
        }

        return null;
    }

    /// <summary>
    /// ONNX 1.12 wrote bfloat16 test data as uint16 tensors (numpy has no bfloat16): the bits are bfloat16's, so the
    /// tensor is read as the model declares it. Both paths get the same values.
    /// </summary>
    private static TensorProto AsDeclared(TensorProto tensor, int declared)
    {
        if (declared == (int)DataType.Bfloat16 && tensor.DataType == (int)DataType.Uint16)
        {
            tensor.DataType = (int)DataType.Bfloat16;
        }

        return tensor;
    }

    public static Type ClrType(int elementType) => (DataType)elementType switch
    {
        DataType.Float => typeof(float),
        DataType.Double => typeof(double),
        DataType.Int8 => typeof(sbyte),
        DataType.Uint8 => typeof(byte),
        DataType.Int16 => typeof(short),
        DataType.Uint16 => typeof(ushort),
        DataType.Int32 => typeof(int),
        DataType.Uint32 => typeof(uint),
        DataType.Int64 => typeof(long),
        DataType.Uint64 => typeof(ulong),
        DataType.Bool => typeof(bool),
        DataType.String => typeof(string),
        DataType.Float16 => typeof(Float16),
        DataType.Bfloat16 => typeof(BFloat16),
        var other => throw new UnsupportedCaseException($"element type {other}"),
    };

    public static object ToTensor(TensorProto t)
    {
        int[] dims = t.Dims.Select(d => checked((int)d)).ToArray();
        int count = dims.Aggregate(1, (a, b) => a * b);
        Type clr = ClrType(t.DataType);
        if (clr == typeof(string))
        {
            return new DenseTensor<string>(t.StringData.Select(s => Encoding.UTF8.GetString(s.Span)).ToArray(), dims);
        }

        return typeof(ProtoValues).GetMethod(nameof(Numeric), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(clr).Invoke(null, [t, dims, count])!;
    }

    private static DenseTensor<T> Numeric<T>(TensorProto t, int[] dims, int count) where T : unmanaged
    {
        T[] data;
        if (t.HasRawData)
        {
            data = MemoryMarshal.Cast<byte, T>(t.RawData.Span).ToArray();
        }
        else
        {
            data = new T[count];
            Span<byte> bytes = MemoryMarshal.AsBytes(data.AsSpan());
            int size = Marshal.SizeOf<T>();
            switch ((DataType)t.DataType)
            {
                case DataType.Float: t.FloatData.ToArray().CopyTo(MemoryMarshal.Cast<byte, float>(bytes)); break;
                case DataType.Double: t.DoubleData.ToArray().CopyTo(MemoryMarshal.Cast<byte, double>(bytes)); break;
                case DataType.Int64: t.Int64Data.ToArray().CopyTo(MemoryMarshal.Cast<byte, long>(bytes)); break;
                case DataType.Uint32: case DataType.Uint64:
                    for (int i = 0; i < count; i++)
                    {
                        BitConverter.GetBytes(t.Uint64Data[i]).AsSpan(0, size).CopyTo(bytes[(i * size)..]);
                    }

                    break;
                default:
                    // int8/16/32, uint8/16, bool, float16 and bfloat16 are stored one per int32_data entry (low bits).
                    for (int i = 0; i < count; i++)
                    {
                        BitConverter.GetBytes(t.Int32Data[i]).AsSpan(0, size).CopyTo(bytes[(i * size)..]);
                    }

                    break;
            }
        }

        if (data.Length != count)
        {
            throw new UnsupportedCaseException($"tensor '{t.Name}' holds {data.Length} elements for shape [{string.Join(", ", dims)}]");
        }

        return new DenseTensor<T>(data, dims);
    }
}
