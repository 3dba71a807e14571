using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Tests.Verification;
using ModelBuild.Onnx;
using ModelBuild.Compiler.Quantization;
using ModelZoo.Models;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// The compiler run as on an x64 build machine without AVX-512, VNNI or AMX: under the benchmarks' CPUID mask
/// (tests/ModelBuild.Benchmarks/CpuKinds/cpuid-mask.c), which ONNX Runtime and .NET dispatch by. The build works there,
/// the report names the CPU features it measured on, and the static int8 Conv decision uses that machine's bar.
/// Skipped, with the reason, where the mask cannot run (no cc, no CPUID faulting, nothing to hide).
/// </summary>
public sealed class Avx2BuildMachineTests(ITestOutputHelper output)
{
    [Fact]
    public void An_x64_int8_build_with_avx2_kernels_reports_them_and_applies_their_conv_bar()
    {
        if (WhyUnavailable() is { } whyNot)
        {
            output.WriteLine($"Skipped: {whyNot}.");
            return;
        }

        using var temp = new TempFolder();
        string mask = temp.File("cpuid-mask.so");
        Assert.Equal(0, Run("cc", temp.Path, null, "-O2", "-shared", "-fPIC", "-o", mask, Path.Combine(RepositoryRoot(), "tests", "ModelBuild.Benchmarks", "CpuKinds", "cpuid-mask.c"), "-ldl").ExitCode);
        // A sandbox can refuse CPUID faulting even where the CPU flag shows (the library then exits with 3).
        if (Run("/bin/true", temp.Path, mask) is { ExitCode: not 0 } refused)
        {
            output.WriteLine($"Skipped: the CPUID mask cannot start here (exit {refused.ExitCode}: {refused.Log.Trim()}).");
            return;
        }
        OnnxModelWriter.WriteFile(ConvNetModel.Build(ConvNetConfig.Full), temp.File("conv-net.onnx"));
        string samples = temp.File("samples");
        Directory.CreateDirectory(samples);
        var random = new Random(5);
        float[] image = [.. Enumerable.Range(0, 3 * ConvNetConfig.ImageSize * ConvNetConfig.ImageSize).Select(_ => random.NextSingle())];
        File.WriteAllBytes(Path.Combine(samples, "image.npy"), NumpySampleTests.Npy("<f4", [1, 3, ConvNetConfig.ImageSize, ConvNetConfig.ImageSize], NumpySampleTests.Float32(image)));

        var (exitCode, log) = Run("dotnet", temp.Path, mask, Path.Combine(AppContext.BaseDirectory, "modelbuild.dll"), "compile", "conv-net.onnx",
            "--quantize", "int8", "--targets", "x64", "--fallback", "none", "--cache", "off", "--sample-inputs", samples, "--out", temp.File("out"));

        Assert.True(exitCode == 0, log);
        JsonNode variant = JsonNode.Parse(File.ReadAllBytes(Directory.GetFiles(temp.File("out"), "*.report.json").Single()))!["variants"]![0]!["variant"]!;
        Assert.Equal("avx2 fma f16c", (string)variant["verification"]!["cpuFeatures"]!);
        string conv = variant["keptNotes"]!.AsArray().Select(n => (string)n!).Single(n => n.StartsWith("Conv", StringComparison.Ordinal));
        output.WriteLine(conv);
        Match kept = Regex.Match(conv, @"^Conv: 8 of 8 int8 \(static QDQ, .*, (?<ratio>\d+\.\d\d)x latency of fp32 Convs");
        if (kept.Success)
        {
            // Kept beyond the 0.95x bar of VNNI machines only under the not-slower bar, and the note says so.
            bool relaxed = double.Parse(kept.Groups["ratio"].Value, CultureInfo.InvariantCulture) > StaticInt8ConvQuantizer.MaxLatencyRatio;
            Assert.Equal(relaxed, conv.Contains("on a CPU without VNNI or AMX (avx2 fma f16c), where the bar is not slower (0.98x)", StringComparison.Ordinal));
        }
        else
        {
            Match slow = Regex.Match(conv, @"^Conv: 8 nodes kept fp32 \(static int8 not faster on this machine \(avx2 fma f16c\): (?<ratio>\d+\.\d\d)x");
            Assert.True(slow.Success, conv);
            Assert.True(double.Parse(slow.Groups["ratio"].Value, CultureInfo.InvariantCulture) > StaticInt8ConvQuantizer.MaxLatencyRatioWithoutVnni, conv);
        }
    }

    private static string? WhyUnavailable()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return "not a Linux x64 machine";
        string[] features = CpuFeatures.Seen().Split(' ');
        if (!features.Contains("avx2") || !features.Any(f => f is "avx512f" or "avx512_vnni" or "avx_vnni" or "amx_int8"))
        {
            return $"this CPU ({string.Join(' ', features)}) has no AVX2, or nothing beyond it to hide";
        }
        string flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
        if (!flags.Split(' ').Contains("cpuid_fault")) return "no CPUID faulting on this machine (the cpuid_fault flag)";
        if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "cc")))) return "no C compiler (cc)";
        return null;
    }

    private static (int ExitCode, string Log) Run(string program, string directory, string? preload, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        if (preload is not null) start.Environment["LD_PRELOAD"] = preload;
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string RepositoryRoot()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "build.sh")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("build.sh not found above " + AppContext.BaseDirectory);
        }
        return root;
    }
}
