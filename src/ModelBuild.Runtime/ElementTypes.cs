using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Shared;

namespace ModelBuild.Runtime;

/// <summary>
/// Maps signature-file element type names, ONNX Runtime element types and C# types: the shared element-type table's
/// rows with a .NET type, resolved once (ONNX Runtime's <see cref="TensorElementType"/> numbers are ONNX's).
/// </summary>
internal static class ElementTypes
{
    private static readonly (string Name, Type Clr, TensorElementType Ort, string CSharp)[] Table =
    [
        .. ElementTypeTable.All.Where(t => t.ClrType is not null).Select(t =>
            (t.Name, Type.GetType(t.ClrType!) ?? typeof(Float16).Assembly.GetType(t.ClrType!, throwOnError: true)!, (TensorElementType)t.DataType, t.CSharp!)),
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
