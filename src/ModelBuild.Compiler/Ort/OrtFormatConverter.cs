using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Ort;

/// <summary>ORT format (.ort, flatbuffers) for ONNX Runtime's minimal builds, and the operator list those builds need.</summary>
internal static class OrtFormatConverter
{
    /// <summary>
    /// Converts an ONNX model to ORT format. The graph is saved as given (<see cref="OptimizationLevel.None"/>)
    /// unless <paramref name="level"/> says otherwise: run <see cref="OrtGraphOptimizer"/> first, so the optimized
    /// ONNX model and the .ort file hold the same graph. Deterministic: ORT's own output is not (a hash-map order
    /// changes per process), so <see cref="OrtFormatCanonicalizer"/> rewrites it in a canonical form.
    /// </summary>
    /// <exception cref="ModelToolException">MB5502 when ORT cannot load or convert the model.</exception>
    public static byte[] ToOrtFormat(byte[] model, string modelDirectory, OptimizationLevel level = OptimizationLevel.None) =>
        OrtFormatCanonicalizer.Canonicalize(OrtOfflineSession.Run(model, modelDirectory,
            options =>
            {
                options.GraphOptimizationLevel = OrtGraphOptimizer.ToOrt(level);
                options.AddSessionConfigEntry("session.save_model_format", "ORT");
            },
            ToolErrorCodes.OrtFormatFailed, "convert the model to ORT format"));

    /// <inheritdoc cref="RequiredOperators.Config"/>
    public static string RequiredOperatorsConfig(ModelProto model) => RequiredOperators.Config(model);
}
