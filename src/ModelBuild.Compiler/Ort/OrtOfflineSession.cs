using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Ort;

/// <summary>
/// Runs ONNX Runtime once as an offline tool: it loads a model, applies graph optimizations and writes the result
/// to <see cref="SessionOptions.OptimizedModelFilePath"/> in a private work folder (<see cref="WorkFolders"/>), whose bytes are returned.
/// </summary>
internal static class OrtOfflineSession
{
    private const string OutputFileName = "model.out";

    /// <param name="model">The ONNX model's bytes.</param>
    /// <param name="modelDirectory">Where the model's external data resolves.</param>
    /// <param name="configure">Extra session settings (level, output format).</param>
    /// <param name="errorCode">Code of the <see cref="ModelToolException"/> thrown when ORT fails.</param>
    /// <param name="what">What is being done, for the error message ("optimize the model").</param>
    public static byte[] Run(byte[] model, string modelDirectory, Action<SessionOptions> configure, string errorCode, string what)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        byte[] input = SelfContained(model, modelDirectory);

        string folder = WorkFolders.Create("ort");
        try
        {
            Write(options => options.OptimizedModelFilePath = Path.Combine(folder, OutputFileName),
                options => new InferenceSession(input, options), configure, errorCode, what);
            return File.ReadAllBytes(Path.Combine(folder, OutputFileName));
        }
        finally
        {
            WorkFolders.Delete(folder);
        }
    }

    /// <summary>
    /// ORT loads <paramref name="modelPath"/> (its external data resolves beside it; the load pass or ModelBuild's writer
    /// checked the locations) and writes <paramref name="outputPath"/>, so the model never passes through managed memory.
    /// Large models (<paramref name="minExternalBytes"/> set): every initializer of at least that size goes to
    /// <c>{outputPath}.data</c>, so neither side is limited to 2 GB; otherwise every weight stays inline, the bytes
    /// <see cref="Run"/> returns for the file's bytes.
    /// </summary>
    public static void RunFile(string modelPath, string outputPath, long? minExternalBytes, Action<SessionOptions> configure, string errorCode, string what) =>
        Write(options =>
            {
                options.OptimizedModelFilePath = outputPath;
                if (minExternalBytes is { } minBytes)
                {
                    options.AddSessionConfigEntry("session.optimized_model_external_initializers_file_name", Path.GetFileName(outputPath) + ".data");
                    options.AddSessionConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes",
                        minBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            },
            options => new InferenceSession(modelPath, options), configure, errorCode, what);

    /// <summary>One offline session: it writes the output model while it initializes and is never run.</summary>
    private static void Write(Action<SessionOptions> output, Func<SessionOptions, InferenceSession> open, Action<SessionOptions> configure,
        string errorCode, string what)
    {
        using var options = new SessionOptions();
        // CPU EP only (nothing appended). One thread: constant folding then runs the same way everywhere.
        options.IntraOpNumThreads = 1;
        options.InterOpNumThreads = 1;
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        // Failures come back through the exception (escaped); ORT's own log lines would reach stderr raw.
        options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        // Never run, so weights packed for the kernels would be a second copy of them for nothing (the saved model is the same).
        options.AddSessionConfigEntry("session.disable_prepacking", "1");
        output(options);
        configure(options);
        try
        {
            ManagedMemory.Release();
            using InferenceSession session = open(options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelToolException(errorCode, $"ONNX Runtime {ToolVersions.OnnxRuntime} could not {what}: {ModelText.Quote(e.Message, 1000)}", e);
        }
    }

    /// <summary>
    /// ORT resolves the external data of a model given as bytes against the process's current folder, not the
    /// model's. External tensors are therefore read here, through ModelBuild's checked reader (no traversal, no
    /// links), and inlined: ORT never opens a file of the model itself.
    /// </summary>
    private static byte[] SelfContained(byte[] model, string modelDirectory)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelToolException(ToolErrorCodes.OptimizeFailed, $"The model bytes are not an ONNX model: {e.Message}", e);
        }

        if (OnnxExternalData.Enumerate(proto, modelDirectory).Count == 0)
        {
            return model;
        }

        OnnxExternalData.LoadIntoModel(proto, modelDirectory);
        return OnnxModelWriter.Serialize(proto);
    }
}
