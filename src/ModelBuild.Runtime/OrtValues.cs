using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Runtime;

/// <summary>What ONNX Runtime's C# API does not say directly about a value.</summary>
internal static class OrtValues
{
    /// <summary>
    /// Whether a run's output holds a value. The C# API has no wrapper for the C API's <c>HasValue</c>, and ONNX Runtime
    /// 1.31's C# <c>Run</c> crashes the process on an empty optional output before returning it; a value of unknown type
    /// is what an empty optional would be, so it is treated as "none" should a later ONNX Runtime return one.
    /// </summary>
    public static bool HasValue(OrtValue value) => value.OnnxType != OnnxValueType.ONNX_TYPE_UNKNOWN;
}
