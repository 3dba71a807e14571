using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Runtime;

/// <summary>
/// Options that control how <see cref="ModelSession.Load(ModelDescription, string?, ModelOptions?)"/> finds,
/// verifies and opens a model file.
/// </summary>
public sealed class ModelOptions
{
    /// <summary>
    /// Gets or sets whether the SHA-256 hash of the model file is checked against the hash recorded at build time
    /// (<see cref="ModelDescription.Sha256"/>) before the file is handed to ONNX Runtime. Default <see langword="true"/>.
    /// A mismatch throws <see cref="ModelIntegrityException"/> (MB3001).
    /// </summary>
    public bool VerifyIntegrity { get; set; } = true;

    /// <summary>
    /// Gets or sets the directory against which <see cref="ModelDescription.AssetPath"/> is resolved when no explicit
    /// model path is given. <see langword="null"/> (the default) means <see cref="AppContext.BaseDirectory"/>.
    /// </summary>
    public string? BaseDirectory { get; set; }

    /// <summary>
    /// Gets or sets the number of threads ONNX Runtime uses inside one operator
    /// (<see cref="SessionOptions.IntraOpNumThreads"/>). <see langword="null"/> keeps ONNX Runtime's default.
    /// </summary>
    public int? IntraOpNumThreads { get; set; }

    /// <summary>
    /// Gets or sets the number of threads ONNX Runtime uses to run independent operators in parallel
    /// (<see cref="SessionOptions.InterOpNumThreads"/>). <see langword="null"/> keeps ONNX Runtime's default.
    /// </summary>
    public int? InterOpNumThreads { get; set; }

    /// <summary>
    /// Gets or sets a callback that may change the <see cref="SessionOptions"/> before the session is created
    /// (execution providers, optimization level, configuration entries...). It runs after the thread counts above
    /// have been applied, so it can override them. The options object stays alive as long as the session.
    /// </summary>
    public Action<SessionOptions>? ConfigureSessionOptions { get; set; }
}
