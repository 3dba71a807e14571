using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Quantization;

/// <summary>Reads and writes the data of TensorProtos (raw_data is little-endian by the ONNX spec).</summary>
internal static class TensorData
{
    /// <summary>Number of elements, or -1 when a dimension is negative or the product overflows.</summary>
    public static long ElementCount(TensorProto tensor)
    {
        long count = 1;
        foreach (long dim in tensor.Dims)
        {
            if (dim < 0) return -1;
            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                return -1;
            }
        }

        return count;
    }

    /// <summary>A float tensor whose data is here (not external) and consistent with its dims.</summary>
    public static bool IsReadableFloat(TensorProto tensor)
    {
        if (tensor.DataType != (int)DataType.Float || tensor.DataLocation == TensorProto.Types.DataLocation.External || tensor.Segment is not null)
        {
            return false;
        }

        long count = ElementCount(tensor);
        if (count < 0 || count > int.MaxValue / sizeof(float)) return false;
        return tensor.HasRawData ? tensor.RawData.Length == count * sizeof(float) : tensor.FloatData.Count == count;
    }

    public static float[] ReadFloats(TensorProto tensor)
    {
        if (!IsReadableFloat(tensor)) throw new InvalidOperationException("Not a readable float tensor.");
        if (!tensor.HasRawData) return [.. tensor.FloatData];

        ReadOnlySpan<byte> raw = tensor.RawData.Span;
        var values = new float[raw.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float)));
        }

        return values;
    }

    public static TensorProto Float(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return Raw(name, DataType.Float, dims, bytes);
    }

    public static TensorProto Int8(string name, long[] dims, ReadOnlySpan<sbyte> values) =>
        Raw(name, DataType.Int8, dims, MemoryMarshal.AsBytes(values).ToArray());

    public static TensorProto UInt8(string name, long[] dims, ReadOnlySpan<byte> values) =>
        Raw(name, DataType.Uint8, dims, values.ToArray());

    public static TensorProto Int32(string name, long[] dims, ReadOnlySpan<int> values)
    {
        var bytes = new byte[values.Length * sizeof(int)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), values[i]);
        return Raw(name, DataType.Int32, dims, bytes);
    }

    /// <summary>float16 tensor, values rounded to nearest even (IEEE conversion; deterministic).</summary>
    public static TensorProto Float16(string name, long[] dims, ReadOnlySpan<float> values, bool saturate)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), HalfBits(values[i], saturate));
        }

        return Raw(name, DataType.Float16, dims, bytes);
    }

    /// <summary>
    /// fp16 bits of <paramref name="value"/>. With <paramref name="saturate"/>, finite values beyond ±65504
    /// become ±65504 instead of ±inf, and non-zero values below the smallest subnormal (2^-24) keep their sign and
    /// magnitude 2^-24 instead of becoming 0 (an epsilon of 1e-12 added before a Sqrt must not vanish).
    /// </summary>
    public static ushort HalfBits(float value, bool saturate)
    {
        if (saturate && float.IsFinite(value))
        {
            const float max = 65504f;
            const float minSubnormal = 5.9604645e-8f;
            if (value > max) value = max;
            else if (value < -max) value = -max;
            else if (value != 0 && MathF.Abs(value) < minSubnormal) value = MathF.CopySign(minSubnormal, value);
        }

        return BitConverter.HalfToUInt16Bits((Half)value);
    }

    private static TensorProto Raw(string name, DataType type, long[] dims, byte[] bytes)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    public static ValueInfoProto ValueInfo(string name, int elementType, IEnumerable<long> dims)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = elementType, Shape = new TensorShapeProto() };
        foreach (long dim in dims) tensor.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
