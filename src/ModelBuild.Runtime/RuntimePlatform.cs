using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Runtime;

/// <summary>
/// What variant selection needs to know about this process: its architecture, whether it runs on a mobile OS, and
/// why the CUDA execution provider cannot be used (null when it can). Tests pass their own to cover other machines.
/// </summary>
internal sealed record RuntimePlatform(Architecture ProcessArchitecture, bool IsMobile, Func<string?> CudaUnavailableReason,
    MobilePlatform? Mobile = null)
{
    /// <summary>What the mobile variant's provider choice sees (<see cref="MobilePlatform.Current"/> unless a test says otherwise).</summary>
    public MobilePlatform MobileProviders => Mobile ?? MobilePlatform.Current;

    private const string CudaProviderName = "CUDAExecutionProvider";

    // Probed once per process: loading the CUDA provider is slow, and the answer does not change while the process runs.
    private static readonly Lazy<string?> CudaProbe = new(ProbeCuda);

    public static RuntimePlatform Current { get; } = new(
        RuntimeInformation.ProcessArchitecture,
        OperatingSystem.IsAndroid() || OperatingSystem.IsIOS(),
        () => CudaProbe.Value);

    /// <summary>The build target tuned for <see cref="ProcessArchitecture"/>, or null when there is none.</summary>
    public string? ArchitectureTarget => ProcessArchitecture switch
    {
        Architecture.X64 => "x64",
        Architecture.Arm64 => "arm64",
        _ => null,
    };

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
