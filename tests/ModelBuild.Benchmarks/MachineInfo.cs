using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Benchmarks;

/// <summary>What the numbers were measured on, for the report.</summary>
internal sealed record MachineInfo(string Cpu, int LogicalCores, string CpuFeatures, string Os, string DotNet, string OnnxRuntime, string BenchmarkDotNet)
{
    public static MachineInfo Collect()
    {
        string cpu = RuntimeInformation.ProcessArchitecture.ToString();
        if (File.Exists("/proc/cpuinfo"))
        {
            string[] lines = File.ReadAllLines("/proc/cpuinfo");
            cpu = Value(lines, "model name") ?? cpu;
        }
        else if (Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") is { Length: > 0 } identifier)
        {
            cpu = identifier;
        }

        return new MachineInfo(cpu, Environment.ProcessorCount, CpuFeaturesSeen(), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
            OrtEnv.Instance().GetVersionString(), typeof(BenchmarkDotNet.Running.BenchmarkRunner).Assembly.GetName().Version?.ToString(3) ?? "?");
    }

    /// <summary>
    /// The features the int8 and float kernels ONNX Runtime picks depend on (VNNI: u8×s8 dot products without int16
    /// saturation), as CPUID answers this process: what ONNX Runtime's dispatch sees, also under
    /// <see cref="Avx2Kernels"/>' mask, where /proc/cpuinfo would still list the hidden ones. Names as /proc/cpuinfo has them.
    /// </summary>
    public static string CpuFeaturesSeen()
    {
        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            return string.Join(" ", new[] { ("asimd", AdvSimd.IsSupported), ("asimddp", Dp.IsSupported) }.Where(f => f.Item2).Select(f => f.Item1));
        }

        if (!X86Base.IsSupported) return "";
        var (_, _, ecx1, _) = X86Base.CpuId(1, 0);
        var (_, ebx7, ecx7, edx7) = X86Base.CpuId(7, 0);
        var (eax71, _, _, _) = X86Base.CpuId(7, 1);
        (string Name, bool Present)[] features =
        [
            ("avx2", Bit(ebx7, 5)), ("fma", Bit(ecx1, 12)), ("f16c", Bit(ecx1, 29)), ("avx512f", Bit(ebx7, 16)), ("avx512_vnni", Bit(ecx7, 11)),
            ("avx_vnni", Bit(eax71, 4)), ("avx512_bf16", Bit(eax71, 5)), ("amx_int8", Bit(edx7, 25)),
        ];
        return string.Join(" ", features.Where(f => f.Present).Select(f => f.Name));
    }

    private static bool Bit(int register, int bit) => (register & (1 << bit)) != 0;

    /// <summary>The 1-minute load average (/proc/loadavg), null where there is none.</summary>
    public static double? LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double load)
            ? load
            : null;

    private static string? Value(string[] lines, string key) =>
        lines.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal) && l.Contains(':', StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()
            : null;
}
