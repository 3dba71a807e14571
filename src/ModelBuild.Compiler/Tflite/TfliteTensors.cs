using Google.Protobuf;
using ModelBuild.Compiler.Tflite.Schema;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tflite;

/// <summary>TFLite tensor types, shapes and constant data in ONNX terms.</summary>
internal static class TfliteTensors
{
    public static DataType? OnnxType(TensorType type) => type switch
    {
        TensorType.FLOAT32 => DataType.Float,
        TensorType.FLOAT16 => DataType.Float16,
        TensorType.FLOAT64 => DataType.Double,
        TensorType.INT8 => DataType.Int8,
        TensorType.UINT8 => DataType.Uint8,
        TensorType.INT16 => DataType.Int16,
        TensorType.UINT16 => DataType.Uint16,
        TensorType.INT32 => DataType.Int32,
        TensorType.UINT32 => DataType.Uint32,
        TensorType.INT64 => DataType.Int64,
        TensorType.UINT64 => DataType.Uint64,
        TensorType.BOOL => DataType.Bool,
        TensorType.BFLOAT16 => DataType.Bfloat16,
        _ => null,
    };

    public static int ElementSize(TensorType type) => type switch
    {
        TensorType.INT8 or TensorType.UINT8 or TensorType.BOOL => 1,
        TensorType.FLOAT16 or TensorType.INT16 or TensorType.UINT16 or TensorType.BFLOAT16 => 2,
        TensorType.FLOAT64 or TensorType.INT64 or TensorType.UINT64 => 8,
        _ => 4,
    };

    /// <summary>The static shape (dynamic dimensions are stored as 1 in <c>shape</c>).</summary>
    public static int[] Shape(Tensor tensor) => tensor.GetShapeArray() ?? [];

    /// <summary>The shape with dynamic dimensions as -1 (<c>shape_signature</c> when the converter wrote one).</summary>
    public static int[] Signature(Tensor tensor)
    {
        int[] shape = Shape(tensor);
        int[]? signature = tensor.GetShapeSignatureArray();
        return signature is not null && signature.Length == shape.Length ? signature : shape;
    }

    /// <summary>A graph input or output: element type and shape, unknown dimensions left open.</summary>
    public static ValueInfoProto ValueInfo(string name, Tensor tensor, DataType type)
    {
        var shape = new TensorShapeProto();
        foreach (int dim in Signature(tensor))
        {
            shape.Dim.Add(dim >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = dim } : new TensorShapeProto.Types.Dimension());
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    /// <summary>Elements of a static shape; negative or overflowing sizes are the caller's error.</summary>
    public static long Count(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (int dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }
            count = checked(count * dim);
        }
        return count;
    }

    /// <summary>A constant whose dimensions are permuted (<paramref name="perm"/>[i] = source axis of output axis i), as raw bytes.</summary>
    public static byte[] Permute(byte[] data, int[] shape, int[] perm, int elementSize)
    {
        int rank = shape.Length;
        var sourceStrides = new long[rank];
        long stride = 1;
        for (int axis = rank - 1; axis >= 0; axis--)
        {
            sourceStrides[axis] = stride;
            stride *= shape[axis];
        }
        int[] outShape = [.. perm.Select(p => shape[p])];
        var result = new byte[data.Length];
        var index = new int[rank];
        long count = data.Length / elementSize;
        for (long i = 0; i < count; i++)
        {
            long source = 0;
            for (int axis = 0; axis < rank; axis++)
            {
                source += index[axis] * sourceStrides[perm[axis]];
            }
            System.Buffer.BlockCopy(data, (int)(source * elementSize), result, (int)(i * elementSize), elementSize);
            for (int axis = rank - 1; axis >= 0 && ++index[axis] == outShape[axis]; axis--)
            {
                index[axis] = 0;
            }
        }
        return result;
    }

    public static TensorProto Initializer(string name, DataType type, IEnumerable<long> dims, byte[] raw)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    public static TensorProto Int64s(string name, long[] values, bool scalar = false) =>
        Initializer(name, DataType.Int64, scalar ? [] : [values.Length], [.. values.SelectMany(BitConverter.GetBytes)]);

    public static TensorProto Floats(string name, float[] values, bool scalar = false) =>
        Initializer(name, DataType.Float, scalar ? [] : [values.Length], [.. values.SelectMany(BitConverter.GetBytes)]);
}
