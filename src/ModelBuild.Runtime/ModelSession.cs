using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Runtime;

/// <summary>
/// An ONNX Runtime session over one model file, opened from its <see cref="ModelDescription"/>. Create it once and
/// share it: <see cref="Run(ModelInputs)"/> and <see cref="RunAsync(ModelInputs, CancellationToken)"/> may be called
/// from several threads at once.
/// </summary>
public sealed class ModelSession : IDisposable
{
    private readonly SessionOptions _sessionOptions;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly Lock _gate = new();
    private int _activeRuns;
    private bool _disposed;
    private bool _released;

    private ModelSession(ModelDescription description, string modelPath, SessionOptions sessionOptions, InferenceSession session)
    {
        Description = description;
        ModelPath = modelPath;
        _sessionOptions = sessionOptions;
        InferenceSession = session;
        _inputNames = description.Inputs.Select(i => i.Name).ToArray();
        _outputNames = description.Outputs.Select(o => o.Name).ToArray();
    }

    /// <summary>Gets the description the session was loaded from.</summary>
    public ModelDescription Description { get; }

    /// <summary>Gets the full path of the model file.</summary>
    public string ModelPath { get; }

    /// <summary>Gets the underlying ONNX Runtime session, for uses the typed API does not cover. It is owned by this object.</summary>
    public InferenceSession InferenceSession { get; }

    /// <summary>
    /// Opens a model: resolves its path, checks that the file exists, verifies its SHA-256 (unless
    /// <see cref="ModelOptions.VerifyIntegrity"/> is <see langword="false"/>) and creates the ONNX Runtime session
    /// from the file path, so external data files resolve next to the model.
    /// </summary>
    /// <param name="description">The model description (generated code passes its static instance).</param>
    /// <param name="modelPath">
    /// The model file to open; <see langword="null"/> means
    /// <c>Path.Combine(options.BaseDirectory ?? AppContext.BaseDirectory, description.AssetPath)</c>.
    /// </param>
    /// <param name="options">Loading options; <see langword="null"/> means defaults.</param>
    /// <returns>The open session.</returns>
    /// <exception cref="ModelFileNotFoundException">MB3002: the model file does not exist.</exception>
    /// <exception cref="ModelIntegrityException">MB3001: the file's SHA-256 differs from <see cref="ModelDescription.Sha256"/>.</exception>
    /// <exception cref="InvalidOperationException">The model's inputs or outputs do not match the description.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime could not load the model.</exception>
    public static ModelSession Load(ModelDescription description, string? modelPath, ModelOptions? options)
    {
        ArgumentNullException.ThrowIfNull(description);
        options ??= new ModelOptions();

        bool explicitPath = modelPath is not null;
        string path = Path.GetFullPath(modelPath ?? Path.Combine(options.BaseDirectory ?? AppContext.BaseDirectory, description.AssetPath));
        if (!File.Exists(path))
        {
            throw new ModelFileNotFoundException(path, description.AssetPath, explicitPath);
        }

        // The file stays open (writers denied where the OS enforces sharing) from hashing until ONNX Runtime has read it.
        FileStream? stream = null;
        try
        {
            if (options.VerifyIntegrity)
            {
                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
                string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
                if (!string.Equals(actual, description.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ModelIntegrityException(path, description.Sha256, actual);
                }
            }

            var sessionOptions = new SessionOptions();
            InferenceSession? session = null;
            try
            {
                if (options.IntraOpNumThreads is int intra)
                {
                    sessionOptions.IntraOpNumThreads = intra;
                }

                if (options.InterOpNumThreads is int inter)
                {
                    sessionOptions.InterOpNumThreads = inter;
                }

                options.ConfigureSessionOptions?.Invoke(sessionOptions);
                session = new InferenceSession(path, sessionOptions);
                CheckSignature(description, session, path);
                return new ModelSession(description, path, sessionOptions, session);
            }
            catch
            {
                session?.Dispose();
                sessionOptions.Dispose();
                throw;
            }
        }
        finally
        {
            stream?.Dispose();
        }
    }

    private static void CheckSignature(ModelDescription description, InferenceSession session, string path)
    {
        var problems = new List<string>();
        foreach (var input in description.Inputs)
        {
            if (!session.InputMetadata.ContainsKey(input.Name))
            {
                problems.Add($"input '{input.Name}' is not an input of the model");
            }
        }

        foreach (var output in description.Outputs)
        {
            if (!session.OutputMetadata.ContainsKey(output.Name))
            {
                problems.Add($"output '{output.Name}' is not an output of the model");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The model file '{path}' does not match the description of '{description.ClassName}': {string.Join("; ", problems)}. Rebuild the application.");
        }
    }

    /// <summary>
    /// Runs the model. Thread-safe: several threads may call it at once, each with its own <see cref="ModelInputs"/>.
    /// </summary>
    /// <param name="inputs">The inputs; every input of the model must have been added.</param>
    /// <returns>The outputs, which own native memory: dispose them.</returns>
    /// <exception cref="ArgumentException">An input is missing, or symbolic dimensions disagree between inputs.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed to run the model.</exception>
    public ModelResults Run(ModelInputs inputs)
    {
        var values = Prepare(inputs);
        using var runOptions = new RunOptions();
        return RunCore(runOptions, values);
    }

    /// <summary>
    /// Runs the model on the thread pool. Cancelling <paramref name="cancellationToken"/> asks ONNX Runtime to stop the
    /// run (<see cref="RunOptions.Terminate"/>); ONNX Runtime checks the flag between operators and loop iterations.
    /// <paramref name="inputs"/> must stay undisposed and unchanged until the task completes.
    /// </summary>
    /// <param name="inputs">The inputs; every input of the model must have been added.</param>
    /// <param name="cancellationToken">Stops the run when cancelled.</param>
    /// <returns>The outputs, which own native memory: dispose them.</returns>
    /// <exception cref="ArgumentException">An input is missing, or symbolic dimensions disagree between inputs (thrown synchronously).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled (the task ends cancelled).</exception>
    public Task<ModelResults> RunAsync(ModelInputs inputs, CancellationToken cancellationToken = default)
    {
        var values = Prepare(inputs);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<ModelResults>(cancellationToken);
        }

        return Task.Run(() =>
        {
            using var runOptions = new RunOptions();
            // Disposing the registration waits for a running callback, so runOptions is never used after disposal.
            using (cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions))
            {
                try
                {
                    var results = RunCore(runOptions, values);
                    return results;
                }
                catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The model run was cancelled.", ex, cancellationToken);
                }
            }
        }, cancellationToken);
    }

    private OrtValue[] Prepare(ModelInputs inputs)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        ArgumentNullException.ThrowIfNull(inputs);
        if (!ReferenceEquals(inputs.Description, Description) && !SameInputs(inputs.Description, Description))
        {
            throw new ArgumentException(
                $"The inputs were created for model '{inputs.Description.ClassName}', whose inputs differ from those of '{Description.ClassName}'.",
                nameof(inputs));
        }

        return inputs.GetValidatedValues();
    }

    private static bool SameInputs(ModelDescription a, ModelDescription b) =>
        a.Inputs.Count == b.Inputs.Count
        && a.Inputs.Zip(b.Inputs).All(p => p.First.Name == p.Second.Name && p.First.ElementType == p.Second.ElementType);

    private ModelResults RunCore(RunOptions runOptions, OrtValue[] values)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _activeRuns++;
        }

        try
        {
            var outputs = InferenceSession.Run(runOptions, _inputNames, values, _outputNames);
            return new ModelResults(Description, outputs);
        }
        finally
        {
            bool release;
            lock (_gate)
            {
                release = --_activeRuns == 0 && _disposed && !_released;
                _released |= release;
            }

            if (release)
            {
                ReleaseNative();
            }
        }
    }

    /// <summary>
    /// Releases the ONNX Runtime session. New runs are refused at once; runs already in progress finish first (the
    /// native session is released when the last one ends), so disposing never frees a session under a running call.
    /// </summary>
    public void Dispose()
    {
        bool release;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            release = _activeRuns == 0;
            _released = release;
        }

        if (release)
        {
            ReleaseNative();
        }
    }

    private void ReleaseNative()
    {
        InferenceSession.Dispose();
        _sessionOptions.Dispose();
    }
}
