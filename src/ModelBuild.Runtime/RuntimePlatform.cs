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

    private static string? ProbeCuda() => ProbeCuda(OrtEnv.Instance().GetAvailableProviders(), CudaLibraries, static () =>
    {
        using var probe = new SessionOptions();
        probe.AppendExecutionProvider_CUDA(0);
    });

    /// <summary>
    /// The CUDA libraries ONNX Runtime's CUDA provider loads (CUDA 13). Looked for before the provider is appended: on a
    /// machine without them ONNX Runtime would print its own native "Failed to load library" line to stderr, which no
    /// option silences; the reason goes to <see cref="ModelOptions.Logger"/> only.
    /// </summary>
    internal static IReadOnlyList<string> CudaLibraries { get; } = OperatingSystem.IsWindows()
        ? ["cudart64_13.dll", "cublasLt64_13.dll", "cublas64_13.dll", "curand64_10.dll"]
        : ["libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13", "libcurand.so.10"];

    /// <summary>Null when CUDA can be used, otherwise why not; <paramref name="append"/> runs only when the libraries load.</summary>
    internal static string? ProbeCuda(string[] providers, IReadOnlyList<string> libraries, Action append)
    {
        // The CPU package lists only the CPU provider; the GPU package lists CUDA even where its libraries are missing,
        // so the libraries are looked for and a listed provider must also initialise.
        if (!providers.Contains(CudaProviderName, StringComparer.Ordinal))
        {
            return $"ONNX Runtime lists no CUDA execution provider (available: {string.Join(", ", providers)}); " +
                "it comes with the Microsoft.ML.OnnxRuntime.Gpu package";
        }

        string[] missing = libraries.Where(library => !CanLoad(library)).ToArray();
        if (missing.Length > 0)
        {
            return $"the CUDA libraries are not on this machine ({string.Join(", ", missing)} not found; the CUDA execution provider needs CUDA 13)";
        }

        try
        {
            append();
            return null;
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            return "the CUDA execution provider did not initialise: " + e.Message;
        }
    }

    private static bool CanLoad(string library)
    {
        if (!NativeLibrary.TryLoad(library, out IntPtr handle))
        {
            return false;
        }
        NativeLibrary.Free(handle);
        return true;
    }
}
