using System.Diagnostics;
using System.Runtime.InteropServices;
using ModelBuild.Compiler.Ort;

namespace ModelBuild.CpuKinds;

/// <summary>
/// Child processes that see this x64 CPU as AVX2-only: cpuid-mask.c (copied beside the assembly) built with cc and
/// preloaded, so ONNX Runtime and .NET pick the kernels of a CPU without AVX-512, VNNI or AMX. Used by the benchmarks'
/// AVX2 pass and by the compiler tests (linked there); both need Linux CPUID faulting and a C compiler.
/// </summary>
internal static class CpuidMask
{
    /// <summary>The features the mask hides that change ONNX Runtime's kernels (names as <see cref="CpuFeatures.Seen"/> gives them).</summary>
    public static readonly string[] Hidden = ["avx512f", .. CpuFeatures.Int8DotProducts];

    /// <summary>The library built into <paramref name="folder"/>, for <see cref="Run"/>; or, where the mask cannot run here, why not.</summary>
    public static (string? Library, string? WhyNot) BuildIfAvailable(string folder)
    {
        if (WhyUnavailable() is { } whyNot) return (null, whyNot);
        try
        {
            return (Build(folder), null);
        }
        catch (PlatformNotSupportedException e)
        {
            return (null, e.Message);
        }
    }

    private static string? WhyUnavailable()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return "not a Linux x64 machine";
        string[] features = CpuFeatures.Seen().Split(' ');
        if (!features.Contains("avx2")) return "this CPU has no AVX2";
        if (!Hidden.Any(features.Contains)) return "this CPU has no AVX-512, VNNI or AMX to hide: its own kernels are AVX2 ones already";
        string flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
        if (!flags.Split(' ').Contains("cpuid_fault")) return "this machine has no CPUID faulting (the cpuid_fault flag), which hiding features needs";
        if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "cc")))) return "no C compiler (cc) to build cpuid-mask.c";
        return null;
    }

    /// <summary>
    /// Builds the library into <paramref name="folder"/>. <see cref="PlatformNotSupportedException"/> where a sandbox
    /// refuses CPUID faulting though the CPU flag shows (the library then exits at start, with its reason).
    /// </summary>
    private static string Build(string folder)
    {
        Directory.CreateDirectory(folder);
        string library = Path.Combine(folder, "cpuid-mask.so");
        var (exitCode, log) = Run("cc", ["-O2", "-shared", "-fPIC", "-o", library, Path.Combine(AppContext.BaseDirectory, "CpuKinds", "cpuid-mask.c"), "-ldl"], null);
        if (exitCode != 0) throw new InvalidOperationException($"cc could not build cpuid-mask.c: {log.Trim()}");
        if (Run("/bin/true", [], library) is { ExitCode: not 0 } refused)
        {
            throw new PlatformNotSupportedException($"the CPUID mask cannot start here (exit {refused.ExitCode}: {refused.Log.Trim()})");
        }
        return library;
    }

    /// <summary>Runs <paramref name="program"/> to its end, under the mask when <paramref name="library"/> is given; its exit code and output.</summary>
    public static (int ExitCode, string Log) Run(string program, IEnumerable<string> arguments, string? library, string? directory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (directory is not null) start.WorkingDirectory = directory;
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        if (library is not null) start.Environment["LD_PRELOAD"] = library;
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
