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
    private readonly RunOptions _runOptions = new();   // shared by synchronous runs: ONNX Runtime only reads it
    private readonly string[] _outputNames;
    private readonly bool _bindOutputs;
    private readonly Stack<OrtIoBinding> _idleBindings = new();   // guarded by _gate
    private ModelInputs? _spareInputs;      // kept for the next RunLeased (one: concurrent runs allocate their own)
    private ModelResults? _spareResults;    // likewise, for the next lease
    private readonly Lock _gate = new();
    private int _activeRuns;
    private bool _disposed;
    private bool _released;

    private ModelSession(ModelDescription description, VariantChoice choice, string executionProvider, SessionOptions sessionOptions, InferenceSession session)
    {
        Description = description;
        ModelPath = choice.Path;
        Variant = choice.Variant;
        ExecutionProvider = executionProvider;
        _sessionOptions = sessionOptions;
        InferenceSession = session;
        _outputNames = description.Outputs.Select(o => o.Name).ToArray();
        _bindOutputs = description.Outputs.All(o => o.Type.Kind == ValueKind.Tensor);
    }

    /// <summary>Gets the description the session was loaded from.</summary>
    public ModelDescription Description { get; }

    /// <summary>Gets the full path of the model file.</summary>
    public string ModelPath { get; }

    /// <summary>
    /// Gets the variant loaded: the one chosen for this machine, or for an explicit path the variant that file is
    /// (see <see cref="Load(ModelDescription, string?, ModelOptions?)"/>).
    /// </summary>
    public ModelVariant Variant { get; }

    /// <summary>Gets the execution provider the session runs on: <c>cpu</c>, <c>cuda</c>, <c>nnapi</c> or <c>coreml</c>.</summary>
    public string ExecutionProvider { get; }

    /// <summary>For tests: the number of runs in progress.</summary>
    internal int ActiveRuns
    {
        get
        {
            lock (_gate)
            {
                return _activeRuns;
            }
        }
    }

    /// <summary>Gets the underlying ONNX Runtime session, for uses the typed API does not cover. It is owned by this object.</summary>
    public InferenceSession InferenceSession { get; }

    /// <summary>
    /// Opens a model. Without <paramref name="modelPath"/>, chooses among <see cref="ModelDescription.Variants"/> whose
    /// files exist under <see cref="ModelOptions.BaseDirectory"/> and that <see cref="ModelOptions.Target"/> and
    /// <see cref="ModelOptions.ExecutionProvider"/> allow: first an accelerator variant (<c>cuda</c>) whose execution
    /// provider initialises on this machine, else the CPU variant for the process architecture (<c>x64</c>,
    /// <c>arm64</c>), else the portable <c>cpu</c> one, else <c>mobile</c> on Android and iOS, else any other CPU
    /// variant present; each variant skipped is reported to <see cref="ModelOptions.Logger"/> with its reason. Then
    /// verifies the file's SHA-256 against the variant's (unless <see cref="ModelOptions.VerifyIntegrity"/> is
    /// <see langword="false"/>) and creates the ONNX Runtime session from the file path, so external data files
    /// resolve next to the model.
    /// </summary>
    /// <param name="description">The model description (generated code passes its static instance).</param>
    /// <param name="modelPath">
    /// The model file to open, without selection; its hash is checked against the variant whose asset path the path
    /// ends with, else the only variant with its file name, else it must be the hash of one of the variants (with
    /// <see cref="ModelOptions.VerifyIntegrity"/> off, a file that is none of them loads with an empty target). It runs
    /// on the CPU unless <see cref="ModelOptions.ExecutionProvider"/> says <c>cuda</c>. <see langword="null"/> selects a
    /// variant as above.
    /// </param>
    /// <param name="options">Loading options; <see langword="null"/> means defaults.</param>
    /// <returns>The open session.</returns>
    /// <exception cref="ModelVariantNotFoundException">MB3003: no variant can be loaded (files missing, excluded by the options, or provider unavailable).</exception>
    /// <exception cref="ModelFileNotFoundException">MB3002: the explicitly given model file does not exist.</exception>
    /// <exception cref="ModelIntegrityException">MB3001: the file's SHA-256 differs from the variant's recorded hash.</exception>
    /// <exception cref="ArgumentException"><see cref="ModelOptions.ExecutionProvider"/> is not <c>cpu</c>, <c>cuda</c>, <c>nnapi</c> or <c>coreml</c>.</exception>
    /// <exception cref="MobileProviderUnavailableException">MB3010: a forced <c>nnapi</c>/<c>coreml</c> provider cannot run here.</exception>
    /// <exception cref="InvalidOperationException">The model's inputs or outputs do not match the description.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime could not load the model.</exception>
    public static ModelSession Load(ModelDescription description, string? modelPath, ModelOptions? options) =>
        Load(description, modelPath, options, RuntimePlatform.Current);

    internal static ModelSession Load(ModelDescription description, string? modelPath, ModelOptions? options, RuntimePlatform platform)
    {
        ArgumentNullException.ThrowIfNull(description);
        options ??= new ModelOptions();
        string? forcedProvider = options.ExecutionProvider?.ToLowerInvariant();
        if (forcedProvider is not (null or ModelVariant.CpuProvider or ModelVariant.CudaProvider) && !MobileProviderPolicy.IsMobileProvider(forcedProvider))
        {
            throw new ArgumentException(
                $"ModelOptions.ExecutionProvider is '{options.ExecutionProvider}'; use '{ModelVariant.CpuProvider}', '{ModelVariant.CudaProvider}', " +
                $"'{MobileProviderPolicy.Nnapi}', '{MobileProviderPolicy.CoreMl}' or null.",
                nameof(options));
        }

        VariantChoice choice;
        string provider;
        if (modelPath is null)
        {
            choice = VariantSelector.Select(description, options.BaseDirectory ?? AppContext.BaseDirectory, options, platform);
            provider = choice.Variant.ExecutionProvider.ToLowerInvariant();
        }
        else
        {
            string path = Path.GetFullPath(modelPath);
            if (!File.Exists(path))
            {
                throw new ModelFileNotFoundException(path, description.AssetPath, explicitPath: true);
            }

            provider = forcedProvider ?? ModelVariant.CpuProvider;
            string? sha256 = null;
            string FileSha256() => sha256 ??= Sha256Of(path);
            ModelVariant? variant = VariantSelector.ForExplicitPath(description, path, FileSha256);
            if (variant is null)
            {
                // None of the build's variants: refused when integrity is checked; otherwise the session describes the file.
                variant = options.VerifyIntegrity
                    ? throw new ModelIntegrityException(path, string.Join(" or ", description.Variants.Select(v => v.Sha256)), FileSha256())
                    : new ModelVariant(string.Empty, string.Empty, provider, path, string.Empty);
            }

            choice = new VariantChoice(variant, path);
        }

        // The mobile variant (or a file forced onto NNAPI/Core ML) gets the device's accelerator when there is one.
        MobileProviderDecision? mobile = MobileProviderPolicy.Serves(choice.Variant, MobileProviderPolicy.Nnapi) || MobileProviderPolicy.IsMobileProvider(forcedProvider)
            ? MobileProviderPolicy.Choose(forcedProvider, platform.MobileProviders.Os, platform.MobileProviders.AvailableProviders())
            : null;
        return Open(description, choice, provider, options, mobile);
    }

    private static string Sha256Of(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static ModelSession Open(ModelDescription description, VariantChoice choice, string provider, ModelOptions options,
        MobileProviderDecision? mobile)
    {
        // The file stays open (writers denied where the OS enforces sharing) from hashing until ONNX Runtime has read it.
        FileStream? stream = null;
        try
        {
            if (options.VerifyIntegrity)
            {
                stream = new FileStream(choice.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
                string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
                if (!string.Equals(actual, choice.Variant.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ModelIntegrityException(choice.Path, choice.Variant.Sha256, actual);
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

                if (provider == ModelVariant.CudaProvider)
                {
                    sessionOptions.AppendExecutionProvider_CUDA(0);
                }
                else if (mobile is not null)
                {
                    provider = MobileProviderPolicy.Apply(sessionOptions, mobile,
                        message => options.Logger?.Invoke($"ModelBuild: {description.ClassName}: {message}"));
                    choice = choice with { Variant = choice.Variant with { ExecutionProvider = provider } };
                }

                options.ConfigureSessionOptions?.Invoke(sessionOptions);
                session = new InferenceSession(choice.Path, sessionOptions);
                CheckSignature(description, session, choice.Path);
                return new ModelSession(description, choice, provider, sessionOptions, session);
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
        Prepare(inputs);
        return new ModelResults(Description, RunCore(_runOptions, inputs));
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
        Prepare(inputs);
        return RunOnThreadPool(inputs, static (session, values) => new ModelResults(session.Description, values), returnInputs: false, cancellationToken);
    }

    /// <summary>
    /// Runs the model with inputs that <paramref name="fill"/> adds to a <see cref="ModelInputs"/> the session reuses,
    /// and lends the outputs from results it reuses too: a run allocates neither (one of each is kept, so a single
    /// thread's runs reuse them; concurrent runs allocate their own). This is what generated code's <c>Run</c> calls.
    /// Thread-safe.
    /// </summary>
    /// <typeparam name="TState">What <paramref name="fill"/> reads the inputs from.</typeparam>
    /// <param name="state">Passed to <paramref name="fill"/>.</param>
    /// <param name="fill">
    /// Adds the inputs (see <see cref="ModelInputs"/>); a static lambda allocates nothing. The <see cref="ModelInputs"/>
    /// is valid only during the call: do not keep or dispose it.
    /// </param>
    /// <returns>The outputs, lent until the lease is disposed: dispose it.</returns>
    /// <exception cref="ArgumentException">An input does not match, is missing, or symbolic dimensions disagree.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime failed to run the model.</exception>
    public ModelResultsLease RunLeased<TState>(TState state, Action<ModelInputs, TState> fill)
    {
        ModelInputs inputs = FilledInputs(state, fill);
        try
        {
            return Lease(RunCore(_runOptions, inputs));
        }
        finally
        {
            ReturnInputs(inputs);
        }
    }

    /// <summary>
    /// <see cref="RunLeased{TState}(TState, Action{ModelInputs, TState})"/> on the thread pool, cancellable like
    /// <see cref="RunAsync(ModelInputs, CancellationToken)"/>; <paramref name="fill"/> runs before this method returns.
    /// </summary>
    /// <typeparam name="TState">What <paramref name="fill"/> reads the inputs from.</typeparam>
    /// <param name="state">Passed to <paramref name="fill"/>; the tensors it holds must stay unchanged until the task completes.</param>
    /// <param name="fill">Adds the inputs; see <see cref="RunLeased{TState}(TState, Action{ModelInputs, TState})"/>.</param>
    /// <param name="cancellationToken">Stops the run when cancelled.</param>
    /// <returns>The outputs, lent until the lease is disposed: dispose it.</returns>
    /// <exception cref="ArgumentException">An input does not match, is missing, or symbolic dimensions disagree (thrown synchronously).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled (the task ends cancelled).</exception>
    public Task<ModelResultsLease> RunLeasedAsync<TState>(TState state, Action<ModelInputs, TState> fill, CancellationToken cancellationToken = default)
    {
        ModelInputs inputs = FilledInputs(state, fill);
        return RunOnThreadPool(inputs, static (session, values) => session.Lease(values), returnInputs: true, cancellationToken);
    }

    // Async, so that an OperationCanceledException ends the task as cancelled; the inputs go back in every case.
    private async Task<TResult> RunOnThreadPool<TResult>(
        ModelInputs inputs, Func<ModelSession, IDisposableReadOnlyCollection<OrtValue>, TResult> wrap, bool returnInputs, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return await Task.Run(() =>
            {
                using var runOptions = new RunOptions();
                // Disposing the registration waits for a running callback, so runOptions is never used after disposal.
                using (cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions))
                {
                    try
                    {
                        return wrap(this, RunCore(runOptions, inputs));
                    }
                    catch (OnnxRuntimeException ex) when (cancellationToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException("The model run was cancelled.", ex, cancellationToken);
                    }
                }
            }, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (returnInputs)
            {
                ReturnInputs(inputs);
            }
        }
    }

    private ModelInputs FilledInputs<TState>(TState state, Action<ModelInputs, TState> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        lock (_gate)
        {
            // Before filling, so a disposed session refuses a run before any input is checked or pinned.
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        ModelInputs inputs = Interlocked.Exchange(ref _spareInputs, null) ?? new ModelInputs(Description);
        try
        {
            fill(inputs, state);
            Prepare(inputs);
            return inputs;
        }
        catch
        {
            ReturnInputs(inputs);
            throw;
        }
    }

    private void ReturnInputs(ModelInputs inputs)
    {
        inputs.Clear();
        Interlocked.CompareExchange(ref _spareInputs, inputs, null);
    }

    private ModelResultsLease Lease(IDisposableReadOnlyCollection<OrtValue> values)
    {
        ModelResults results = Interlocked.Exchange(ref _spareResults, null) ?? new ModelResults(Description, values);
        return new ModelResultsLease(results, this, results.Reuse(values));
    }

    /// <summary>Keeps <paramref name="results"/>, whose lease ended, for the next leased run.</summary>
    internal void ReturnResults(ModelResults results) => Interlocked.CompareExchange(ref _spareResults, results, null);

    private void Prepare(ModelInputs inputs)
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

        inputs.Validate();
    }

    private static bool SameInputs(ModelDescription a, ModelDescription b) =>
        a.Inputs.Count == b.Inputs.Count
        && a.Inputs.Zip(b.Inputs).All(p => p.First.Name == p.Second.Name && p.First.Type.ToString() == p.Second.Type.ToString());

    private IDisposableReadOnlyCollection<OrtValue> RunCore(RunOptions runOptions, ModelInputs inputs)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _activeRuns++;
        }

        var telemetry = RunTelemetry.Scope.Start(this);
        Exception? error = null;
        try
        {
            return _bindOutputs ? RunBound(runOptions, inputs) : RunUnbound(runOptions, inputs);
        }
        catch (Exception ex)
        {
            error = ex;
            throw;
        }
        finally
        {
            telemetry.Stop(this, error);
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

    private IDisposableReadOnlyCollection<OrtValue> RunUnbound(RunOptions runOptions, ModelInputs inputs)
    {
        var (names, values) = inputs.GetValues();
        return InferenceSession.Run(runOptions, names, values, _outputNames);
    }

    // Tensor outputs go through a pooled I/O binding: it allocates less managed memory per run than Run(names, values)
    // (benchmarked in docs/performance.md). Outputs are bound to the CPU allocator before and unbound after each run,
    // because a binding that still holds the previous outputs makes ONNX Runtime write the next ones into them.
    private IDisposableReadOnlyCollection<OrtValue> RunBound(RunOptions runOptions, ModelInputs inputs)
    {
        OrtIoBinding? binding;
        lock (_gate)
        {
            _idleBindings.TryPop(out binding);
        }

        binding ??= InferenceSession.CreateIoBinding();
        try
        {
            inputs.BindTo(binding);
            foreach (string name in _outputNames)
            {
                binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
            }

            InferenceSession.RunWithBinding(runOptions, binding);
            return binding.GetOutputValues();
        }
        finally
        {
            binding.ClearBoundInputs();
            binding.ClearBoundOutputs();
            lock (_gate)
            {
                _idleBindings.Push(binding);
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
        foreach (var binding in _idleBindings)
        {
            binding.Dispose();
        }

        _idleBindings.Clear();
        _runOptions.Dispose();
        InferenceSession.Dispose();
        _sessionOptions.Dispose();
    }
}
