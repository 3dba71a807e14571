using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ModelBuild.Benchmarks;

/// <summary>
/// The same variant files timed again with the kernels ONNX Runtime picks on an x64 CPU without AVX-512, VNNI or AMX:
/// a child benchmark process under CpuKinds/cpuid-mask.c, which hides those features from CPUID. So a machine with
/// VNNI measures both kinds of x64 CPU users have (issue #12: int8 must pay on both). The kernels are AVX2 code; the
/// core running them is still this one (its caches, its clock), which the report says.
/// </summary>
internal static class Avx2Kernels
{
    /// <summary>Features whose kernels the mask hides; with none of them the main tables are AVX2 kernels already.</summary>
    private static readonly string[] Hidden = ["avx512f", "avx512_vnni", "avx_vnni", "amx_int8"];

    public sealed record Timing(string Model, string Variant, double MedianMilliseconds, double RatioToBaseline);

    /// <summary>What the child measured, and the CPU features its CPUID showed (checked: none of <see cref="Hidden"/>).</summary>
    public sealed record Result(string Features, IReadOnlyList<Timing> Timings);

    /// <summary>Null when this machine can time AVX2 kernels; otherwise why not, for the report.</summary>
    public static string? WhyUnavailable()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return "not a Linux x64 machine";
        string[] features = ModelBuild.Compiler.Ort.CpuFeatures.Seen().Split(' ');
        if (!features.Contains("avx2")) return "this CPU has no AVX2";
        if (!Hidden.Any(features.Contains)) return "this CPU has no AVX-512, VNNI or AMX: the tables above are AVX2 kernels already";
        string flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
        if (!flags.Split(' ').Contains("cpuid_fault")) return "this machine has no CPUID faulting (the cpuid_fault flag), which hiding features needs";
        if (FindOnPath("cc") is null) return "no C compiler (cc) to build tests/ModelBuild.Benchmarks/CpuKinds/cpuid-mask.c";
        return null;
    }

    /// <summary>
    /// Builds the mask in <paramref name="work"/> (the benchmark's folder) and times every variant file there in a child
    /// process under it. <see cref="PlatformNotSupportedException"/> where the mask cannot start on this machine.
    /// </summary>
    public static Result Measure(string work, int rounds)
    {
        Directory.CreateDirectory(work);
        string library = Path.Combine(work, "cpuid-mask.so");
        Run("cc", ["-O2", "-shared", "-fPIC", "-o", library, Path.Combine(AppContext.BaseDirectory, "CpuKinds", "cpuid-mask.c"), "-ldl"], null);
        try
        {
            Run("/bin/true", [], library);
        }
        catch (InvalidOperationException e)
        {
            // A sandbox can refuse CPUID faulting even where the CPU flag shows: the library exits with 3 and says why.
            throw new PlatformNotSupportedException($"the CPUID mask cannot start here ({e.Message})", e);
        }
        string output = Path.Combine(work, "avx2-timings.json");
        File.Delete(output);
        Run("dotnet", [typeof(Avx2Kernels).Assembly.Location, "--work", work, .. BenchModels.Small ? ["--small"] : Array.Empty<string>(),
            "--time-only", rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), output], library);
        Result result = JsonSerializer.Deserialize<Result>(File.ReadAllText(output))
            ?? throw new InvalidDataException($"{output}: empty");
        if (Hidden.FirstOrDefault(result.Features.Split(' ').Contains) is { } seen)
        {
            throw new InvalidOperationException($"The mask did not take: the child still saw {seen} ({result.Features}).");
        }

        return result;
    }

    /// <summary>The child's side: every model's variant files, side by side (<see cref="RoundRobinTimer"/>), to <paramref name="output"/>.</summary>
    public static void TimeVariantFiles(int rounds, string output)
    {
        var timings = new List<Timing>();
        foreach (BenchModel model in BenchModels.All)
        {
            var files = Variants.All.Select(v => (v.Name, Path: BenchModels.PathOf(model, v))).Where(f => File.Exists(f.Path)).ToList();
            if (files.Count == 0 || files[0].Name != Variants.BaselineName) continue;
            timings.AddRange(RoundRobinTimer.Measure(model, files, rounds).Select(t => new Timing(model.Name, t.Variant, t.MedianMilliseconds, t.RatioToBaseline)));
        }

        File.WriteAllText(output, JsonSerializer.Serialize(new Result(ModelBuild.Compiler.Ort.CpuFeatures.Seen(), timings)));
    }

    private static void Run(string program, IEnumerable<string> arguments, string? preload)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        if (preload is not null) start.Environment["LD_PRELOAD"] = preload;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}");
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}
