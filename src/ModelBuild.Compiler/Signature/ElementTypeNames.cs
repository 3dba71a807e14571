namespace ModelBuild.Compiler.Signature;

/// <summary>ONNX <c>TensorProto.DataType</c> values and the lower-case names the signature file uses.</summary>
internal static class ElementTypeNames
{
    private static readonly string[] Names =
    [
        "undefined", "float", "uint8", "int8", "uint16", "int16", "int32", "int64", "string", "bool", "float16",
        "double", "uint32", "uint64", "complex64", "complex128", "bfloat16", "float8e4m3fn", "float8e4m3fnuz",
        "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1", "float8e8m0", "uint2", "int2",
    ];

    /// <summary>The name of an ONNX element type; types newer than this list keep their number.</summary>
    public static string Get(int dataType) =>
        dataType >= 0 && dataType < Names.Length ? Names[dataType] : $"type{dataType}";
}
