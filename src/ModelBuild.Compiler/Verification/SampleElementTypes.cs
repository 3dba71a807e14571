using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Diagnostics;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Verification;

/// <summary>The ONNX element types ORT's C# API can create tensors of (its TensorElementType values equal ONNX's).</summary>
internal static class SampleElementTypes
{
    public static bool IsSupported(int onnxType) => onnxType is >= (int)DataType.Float and <= (int)DataType.Uint64
        and not (int)DataType.Complex64 and not (int)DataType.Complex128 || onnxType == (int)DataType.Bfloat16;

    public static bool IsFloat(TensorElementType type) =>
        type is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or TensorElementType.BFloat16;

    /// <summary>The element type, or MB5601 naming <paramref name="what"/> when samples cannot be made for it.</summary>
    public static TensorElementType FromOnnx(int onnxType, string what)
    {
        if (!IsSupported(onnxType))
        {
            string name = Enum.IsDefined((DataType)onnxType) ? ((DataType)onnxType).ToString().ToLowerInvariant() : onnxType.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new ModelToolException(ToolErrorCodes.InputTypeUnsupported,
                $"{what} has element type {name}, which ONNX Runtime's .NET API cannot create tensors of; " +
                "verification supports float, double, float16, bfloat16, (u)int8/16/32/64, bool and string inputs.");
        }
        return (TensorElementType)onnxType;
    }
}
