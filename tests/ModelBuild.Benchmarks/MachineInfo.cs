using System.Runtime.InteropServices;
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

        return new MachineInfo(cpu, Environment.ProcessorCount, ModelBuild.Compiler.Ort.CpuFeatures.Seen(), RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
            OrtEnv.Instance().GetVersionString(), typeof(BenchmarkDotNet.Running.BenchmarkRunner).Assembly.GetName().Version?.ToString(3) ?? "?");
    }

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
