using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Compiler.Budgets;

/// <summary>Why a watchdog stopped a run.</summary>
internal enum BudgetBreach { None, Time, Memory }

/// <summary>
/// Watches one ONNX Runtime run from a thread of its own and sets <see cref="RunOptions.Terminate"/> when the
/// deadline passes or the process's working set grows over the limit. ONNX Runtime checks the flag between nodes
/// (also inside Loop/Scan bodies), so an endless or ever-growing loop stops within one node's time.
/// </summary>
internal sealed class RunWatchdog : IDisposable
{
    /// <summary>Often enough that memory growth is caught within a few hundred megabytes, rarely enough to cost nothing.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly RunOptions _options;
    private readonly DateTime _deadlineUtc;
    private readonly long _memoryLimit;
    private readonly ManualResetEventSlim _finished = new();
    private readonly Thread _thread;

    public RunWatchdog(RunOptions options, DateTime deadlineUtc, long memoryLimitBytes)
    {
        _options = options;
        _deadlineUtc = deadlineUtc;
        _memoryLimit = memoryLimitBytes;
        _options.Terminate = false;
        _thread = new Thread(Watch) { IsBackground = true, Name = "modelbuild-verify-watchdog" };
        _thread.Start();
    }

    /// <summary>What stopped the run; None while it runs within budget.</summary>
    public BudgetBreach Breach { get; private set; }

    private void Watch()
    {
        while (!_finished.Wait(PollInterval))
        {
            if (DateTime.UtcNow >= _deadlineUtc)
            {
                Stop(BudgetBreach.Time);
                return;
            }
            if (CurrentWorkingSet() > _memoryLimit)
            {
                Stop(BudgetBreach.Memory);
                return;
            }
        }
    }

    private void Stop(BudgetBreach breach)
    {
        Breach = breach;
        _options.Terminate = true;
    }

    private static long CurrentWorkingSet()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    public void Dispose()
    {
        _finished.Set();
        _thread.Join();
        _finished.Dispose();
        _options.Terminate = false;
    }
}
