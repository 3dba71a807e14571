using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Benchmarks;

/// <summary>ONNX Runtime sessions configured for measurement: one intra-op thread, no spinning.</summary>
internal static class OrtSessions
{
    public static InferenceSession Create(string modelPath)
    {
        using var options = new SessionOptions
        {
            // One fixed thread: comparable across machines, and spinning threads on a 2-core box steal time from
            // the measured one (FACTS.md: spinning distorts benchmarks here).
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return new InferenceSession(modelPath, options);
    }

    /// <summary>Runs one input and copies the model's output out of native memory (as float, whatever it was computed in).</summary>
    public static float[] RunToArray(InferenceSession session, BenchModel model, OrtValue input)
    {
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [model.InputName], [input], [model.OutputName]);
        OrtValue output = outputs[0];
        return output.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float16
            ? [.. output.GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h)]
            : output.GetTensorDataAsSpan<float>().ToArray();
    }
}
