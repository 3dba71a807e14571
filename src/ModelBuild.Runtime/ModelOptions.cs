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
    /// Gets or sets the only build target <see cref="ModelSession.Load(ModelDescription, string?, ModelOptions?)"/> may
    /// choose when no explicit path is given (<c>cpu</c>, <c>x64</c>, <c>arm64</c>, <c>cuda</c>, <c>mobile</c>; case
    /// ignored). <see langword="null"/> (the default) lets the runtime choose the best variant for the machine.
    /// </summary>
    public string? Target { get; set; }

    /// <summary>
    /// Gets or sets the execution provider to run on: <c>cpu</c>, <c>cuda</c>, <c>nnapi</c> or <c>coreml</c> (case
    /// ignored). Without an explicit path only variants built for that provider are considered (<c>nnapi</c> and
    /// <c>coreml</c> select the <c>mobile</c> variant); with one, <c>cuda</c>, <c>nnapi</c> or <c>coreml</c> adds that
    /// provider to the session. A forced <c>nnapi</c>/<c>coreml</c> this device cannot use throws
    /// <see cref="MobileProviderUnavailableException"/> (MB3010). <see langword="null"/> (the default) means the chosen
    /// variant's provider (CPU for an explicit path); the <c>mobile</c> variant then tries NNAPI on Android and Core ML
    /// on iOS/macOS, falling back to the CPU with the reason in <see cref="Logger"/>.
    /// </summary>
    public string? ExecutionProvider { get; set; }

    /// <summary>
    /// Gets or sets a callback that receives one line per decision of the variant selection: each variant skipped
    /// and why (file missing, provider unavailable, excluded by <see cref="Target"/>...), and the one chosen.
    /// <see langword="null"/> (the default) logs nothing.
    /// </summary>
    /// <remarks>
    /// A plain callback rather than <c>Microsoft.Extensions.Logging.ILogger</c>: it adds no package to every
    /// application that uses a model, and connects to any logger in one line
    /// (<c>Logger = m =&gt; logger.LogInformation("{Message}", m)</c>) or to <see cref="Console.WriteLine(string)"/>.
    /// </remarks>
    public Action<string>? Logger { get; set; }

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
