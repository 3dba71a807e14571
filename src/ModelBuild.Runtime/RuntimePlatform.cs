using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Shared;

namespace ModelBuild.Runtime;

/// <summary>
/// What variant selection needs to know about this process: its architecture, whether it runs on a mobile OS, and
/// why the CUDA execution provider cannot be used (null when it can). Tests pass their own to cover other machines.
/// </summary>
internal sealed record RuntimePlatform(Architecture ProcessArchitecture, bool IsMobile, Func<string?> CudaUnavailableReason)
{
    private const string CudaProviderName = "CUDAExecutionProvider";

    // Probed once per process: loading the CUDA provider is slow, and the answer does not change while the process runs.
    private static readonly Lazy<string?> CudaProbe = new(ProbeCuda);

    public static RuntimePlatform Current { get; } = new(
        RuntimeInformation.ProcessArchitecture,
        OperatingSystem.IsAndroid() || OperatingSystem.IsIOS(),
        () => CudaProbe.Value);

    /// <summary>The CPU target tuned for <see cref="ProcessArchitecture"/> (the target table's), or null when there is none.</summary>
    public string? ArchitectureTarget => BuildTargets.All.FirstOrDefault(t =>
        !t.IsMobile && t.ExecutionProvider == BuildTargets.CpuProvider
        && string.Equals(t.Architecture, ProcessArchitecture.ToString(), StringComparison.OrdinalIgnoreCase))?.Name;

    private static string? ProbeCuda()
    {
        // The CPU package lists only the CPU provider; the GPU package lists CUDA even where its libraries are missing,
        // so a listed provider must also initialise.
        string[] providers = OrtEnv.Instance().GetAvailableProviders();
        if (!providers.Contains(CudaProviderName, StringComparer.Ordinal))
        {
            return $"ONNX Runtime lists no CUDA execution provider (available: {string.Join(", ", providers)}); " +
                "it comes with the Microsoft.ML.OnnxRuntime.Gpu package";
        }

        try
        {
            using var probe = new SessionOptions();
            probe.AppendExecutionProvider_CUDA(0);
            return null;
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            return "the CUDA execution provider did not initialise: " + e.Message;
        }
    }
}
