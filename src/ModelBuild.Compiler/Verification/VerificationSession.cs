using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Compiler.Budgets;
using ModelBuild.Compiler.Diagnostics;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// An ORT session set up for verification: CPU execution provider only, one intra-op and one inter-op thread,
/// spinning off (spinning threads distort timings on small machines), the default (ALL) graph optimization the
/// runtime uses when it loads the shipped model (another level for the reference of an ORT-format variant, which
/// runs as saved). Nothing is written anywhere: no optimized-model path, no profiling.
/// Every run is watched (<see cref="RunWatchdog"/>): all runs of one session share <see cref="VerificationBudget.Timeout"/>,
/// counted from the first run, and the process's working set must stay under the memory budget.
/// </summary>
internal sealed class VerificationSession : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
    private readonly VerificationBudget _budget;
    private DateTime? _deadlineUtc;

    public VerificationSession(string modelPath, VerificationBudget budget, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        ModelPath = modelPath;
        _budget = budget;
        _options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = level,
            // ORT logs failures with node names verbatim (newlines included) to stderr, where a line could pose
            // as a compiler protocol line; the same text reaches us, escaped, through the exception instead.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        try
        {
            _options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            _options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            _session = new InferenceSession(modelPath, _options);
        }
        catch (OnnxRuntimeException e)
        {
            _options.Dispose();
            _runOptions.Dispose();
            throw Failed("load", e);
        }
        InputNames = [.. _session.InputNames];
        OutputNames = [.. _session.OutputNames];
        OptionalOutputs = [.. _session.OutputMetadata.Where(o => o.Value.OnnxValueType == OnnxValueType.ONNX_TYPE_OPTIONAL).Select(o => o.Key)];
    }

    public string ModelPath { get; }
    public IReadOnlyList<string> InputNames { get; }
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Outputs of optional type: fetching an empty one crashes ONNX Runtime 1.31's C# API, so they are not fetched.</summary>
    public IReadOnlyList<string> OptionalOutputs { get; }

    /// <summary>Runs once and copies every requested output out of ORT's memory.</summary>
    public CapturedOutput[] Run(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames)
    {
        using RunWatchdog watchdog = Watch();
        try
        {
            using var results = _session.Run(_runOptions, [.. inputNames], [.. inputs], [.. outputNames]);
            return [.. results.Select(CapturedOutput.From)];
        }
        catch (OnnxRuntimeException e)
        {
            throw Failed("run", e, watchdog.Breach);
        }
    }

    /// <summary>One warm-up run, then the median wall time of <paramref name="runs"/> runs, in milliseconds.</summary>
    public double MedianMilliseconds(IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames, int runs)
    {
        string[] names = [.. inputNames], outputs = [.. outputNames];
        OrtValue[] values = [.. inputs];
        var times = new double[runs];
        using RunWatchdog watchdog = Watch();
        try
        {
            for (int i = -1; i < runs; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using (_session.Run(_runOptions, names, values, outputs))
                {
                }
                if (i >= 0) times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        catch (OnnxRuntimeException e)
        {
            throw Failed("run", e, watchdog.Breach);
        }

        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    }

    private RunWatchdog Watch()
    {
        _deadlineUtc ??= DateTime.UtcNow + _budget.Timeout;
        return new RunWatchdog(_runOptions, _deadlineUtc.Value, _budget.MemoryLimitBytes);
    }

    private ModelToolException Failed(string what, OnnxRuntimeException e, BudgetBreach breach = BudgetBreach.None) => breach switch
    {
        BudgetBreach.Time => new(BudgetCodes.TimeExceeded,
            $"Verification of '{ModelPath}' ran past its time budget of {_budget.TimeoutText} (VerifyTimeout) and was stopped.", e),
        BudgetBreach.Memory => new(BudgetCodes.MemoryExceeded,
            $"Verification of '{ModelPath}' grew the compiler's memory over its budget of {VerificationBudget.Describe(_budget.MemoryLimitBytes)} (VerifyMemoryLimit) and was stopped.", e),
        _ => new(ToolErrorCodes.VerificationRunFailed,
            $"ONNX Runtime could not {what} '{ModelPath}' for verification: {ModelText.Quote(e.Message, 1000)}", e),
    };

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
        _runOptions.Dispose();
    }
}
