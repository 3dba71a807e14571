using Microsoft.ML.OnnxRuntime;
using ModelBuild.Compiler.Diagnostics;

namespace ModelBuild.Compiler.Ort;

/// <summary>ONNX Runtime's offline graph optimization on the CPU execution provider.</summary>
internal static class OrtGraphOptimizer
{
    /// <summary>
    /// Returns the model as ORT optimizes it at <paramref name="level"/> (ONNX format, all weights inline).
    /// External data of the input is read from <paramref name="modelDirectory"/>. Deterministic: the same bytes
    /// give the same bytes (measured, see docs/verification.md).
    /// </summary>
    /// <exception cref="ModelToolException">MB5501 when ORT cannot load or optimize the model.</exception>
    public static byte[] Optimize(byte[] model, string modelDirectory, OptimizationLevel level) =>
        OrtOfflineSession.Run(model, modelDirectory,
            options => options.GraphOptimizationLevel = ToOrt(level),
            ToolErrorCodes.OptimizeFailed, $"optimize the model (level {level})");

    /// <summary>
    /// The same from file to file: read from <paramref name="modelPath"/>, written to <paramref name="outputPath"/>; with
    /// <paramref name="minExternalBytes"/> (large models), initializers of at least that size go to <c>{outputPath}.data</c>.
    /// </summary>
    /// <exception cref="ModelToolException">MB5501 when ORT cannot load or optimize the model.</exception>
    public static void OptimizeFile(string modelPath, string outputPath, OptimizationLevel level, long? minExternalBytes) =>
        OrtOfflineSession.RunFile(modelPath, outputPath, minExternalBytes,
            options => options.GraphOptimizationLevel = ToOrt(level),
            ToolErrorCodes.OptimizeFailed, $"optimize the model (level {level})");

    internal static GraphOptimizationLevel ToOrt(OptimizationLevel level) => level switch
    {
        OptimizationLevel.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
        OptimizationLevel.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        OptimizationLevel.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Unknown optimization level."),
    };
}
