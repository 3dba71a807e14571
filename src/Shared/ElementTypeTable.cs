using System.Collections.Generic;

namespace ModelBuild.Shared
{
    /// <summary>One ONNX tensor element type: its number, its name in signature files, and its .NET type if it has one.</summary>
    internal sealed class ElementType
    {
        public ElementType(int dataType, string name, string? clrType = null, string? csharp = null)
        {
            DataType = dataType;
            Name = name;
            ClrType = clrType;
            CSharp = csharp ?? clrType;
        }

        /// <summary>ONNX <c>TensorProto.DataType</c>; ONNX Runtime's <c>TensorElementType</c> has the same numbers.</summary>
        public int DataType { get; }

        /// <summary>The lower-case name the signature file uses, e.g. <c>float16</c>.</summary>
        public string Name { get; }

        /// <summary>The full name of the .NET type ONNX Runtime's C# API uses for it; null: none (no typed wrapper).</summary>
        public string? ClrType { get; }

        /// <summary>Its C# spelling: the keyword where there is one (<c>float</c>), else the full type name.</summary>
        public string? CSharp { get; }
    }

    /// <summary>
    /// The element-type table: the compiler names element types in signature files by it, the generator maps them to C#
    /// types by it, and the runtime to .NET and ONNX Runtime types. Adding a type ONNX Runtime's C# API learns is one row.
    /// </summary>
    internal static class ElementTypeTable
    {
        public static readonly IReadOnlyList<ElementType> All = new[]
        {
            new ElementType(0, "undefined"),
            new ElementType(1, "float", "System.Single", "float"),
            new ElementType(2, "uint8", "System.Byte", "byte"),
            new ElementType(3, "int8", "System.SByte", "sbyte"),
            new ElementType(4, "uint16", "System.UInt16", "ushort"),
            new ElementType(5, "int16", "System.Int16", "short"),
            new ElementType(6, "int32", "System.Int32", "int"),
            new ElementType(7, "int64", "System.Int64", "long"),
            new ElementType(8, "string", "System.String", "string"),
            new ElementType(9, "bool", "System.Boolean", "bool"),
            new ElementType(10, "float16", "Microsoft.ML.OnnxRuntime.Float16"),
            new ElementType(11, "double", "System.Double", "double"),
            new ElementType(12, "uint32", "System.UInt32", "uint"),
            new ElementType(13, "uint64", "System.UInt64", "ulong"),
            new ElementType(14, "complex64"),
            new ElementType(15, "complex128"),
            new ElementType(16, "bfloat16", "Microsoft.ML.OnnxRuntime.BFloat16"),
            new ElementType(17, "float8e4m3fn"),
            new ElementType(18, "float8e4m3fnuz"),
            new ElementType(19, "float8e5m2"),
            new ElementType(20, "float8e5m2fnuz"),
            new ElementType(21, "uint4"),
            new ElementType(22, "int4"),
            new ElementType(23, "float4e2m1"),
            new ElementType(24, "float8e8m0"),
            new ElementType(25, "uint2"),
            new ElementType(26, "int2"),
        };

        /// <summary>The name of an ONNX element type; types newer than this table keep their number.</summary>
        public static string NameOf(int dataType) =>
            dataType >= 0 && dataType < All.Count && All[dataType].DataType == dataType ? All[dataType].Name : $"type{dataType}";

        /// <summary>The row named <paramref name="name"/>, or null.</summary>
        public static ElementType? Find(string name)
        {
            foreach (ElementType type in All)
            {
                if (type.Name == name)
                {
                    return type;
                }
            }
            return null;
        }
    }
}
