using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Runtime;

/// <summary>Maps signature-file element type names, ONNX Runtime element types and C# types.</summary>
internal static class ElementTypes
{
    private static readonly (string Name, Type Clr, TensorElementType Ort, string CSharp)[] Table =
    [
        ("float", typeof(float), TensorElementType.Float, "float"),
        ("double", typeof(double), TensorElementType.Double, "double"),
        ("int8", typeof(sbyte), TensorElementType.Int8, "sbyte"),
        ("uint8", typeof(byte), TensorElementType.UInt8, "byte"),
        ("int16", typeof(short), TensorElementType.Int16, "short"),
        ("uint16", typeof(ushort), TensorElementType.UInt16, "ushort"),
        ("int32", typeof(int), TensorElementType.Int32, "int"),
        ("uint32", typeof(uint), TensorElementType.UInt32, "uint"),
        ("int64", typeof(long), TensorElementType.Int64, "long"),
        ("uint64", typeof(ulong), TensorElementType.UInt64, "ulong"),
        ("bool", typeof(bool), TensorElementType.Bool, "bool"),
        ("string", typeof(string), TensorElementType.String, "string"),
        ("float16", typeof(Float16), TensorElementType.Float16, "Microsoft.ML.OnnxRuntime.Float16"),
        ("bfloat16", typeof(BFloat16), TensorElementType.BFloat16, "Microsoft.ML.OnnxRuntime.BFloat16"),
    ];

    public static Type? ClrTypeOf(string elementType)
    {
        foreach (var row in Table)
        {
            if (row.Name == elementType)
            {
                return row.Clr;
            }
        }

        return null;
    }

    public static string NameOf(TensorElementType type)
    {
        foreach (var row in Table)
        {
            if (row.Ort == type)
            {
                return row.Name;
            }
        }

        return type.ToString().ToLowerInvariant();
    }

    public static TensorElementType? OrtTypeOf(Type clr)
    {
        foreach (var row in Table)
        {
            if (row.Clr == clr)
            {
                return row.Ort;
            }
        }

        return null;
    }

    public static Type? ClrTypeOf(TensorElementType type)
    {
        foreach (var row in Table)
        {
            if (row.Ort == type)
            {
                return row.Clr;
            }
        }

        return null;
    }

    /// <summary>The C# spelling of a type, for messages (<c>float</c>, <c>Microsoft.ML.OnnxRuntime.Float16</c>).</summary>
    public static string CSharpName(Type clr)
    {
        foreach (var row in Table)
        {
            if (row.Clr == clr)
            {
                return row.CSharp;
            }
        }

        return clr.FullName ?? clr.Name;
    }
}
