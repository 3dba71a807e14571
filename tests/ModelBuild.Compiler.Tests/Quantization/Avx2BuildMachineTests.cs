using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Tests.Verification;
using ModelBuild.CpuKinds;
using ModelBuild.Onnx;
using ModelZoo.Models;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// The compiler run as on an x64 build machine without AVX-512, VNNI or AMX: under the benchmarks' CPUID mask
/// (<see cref="CpuidMask"/>), which ONNX Runtime and .NET dispatch by. The build works there, the report names the CPU
/// features it measured on, and the static int8 Conv decision uses that machine's bar. Skipped, with the reason, where
/// the mask cannot run (no cc, no CPUID faulting, nothing to hide, a sandbox that refuses it).
/// </summary>
public sealed class Avx2BuildMachineTests(ITestOutputHelper output)
{
    [Fact]
    public void An_x64_int8_build_with_avx2_kernels_reports_them_and_applies_their_conv_bar()
    {
        using var temp = new TempFolder();
        var (mask, whyNot) = CpuidMask.BuildIfAvailable(temp.Path);
        if (mask is null)
        {
            output.WriteLine($"Skipped: {whyNot}.");
            return;
        }

        OnnxModelWriter.WriteFile(ConvNetModel.Build(ConvNetConfig.Full), temp.File("conv-net.onnx"));
        string samples = temp.File("samples");
        Directory.CreateDirectory(samples);
        var random = new Random(5);
        float[] image = [.. Enumerable.Range(0, 3 * ConvNetConfig.ImageSize * ConvNetConfig.ImageSize).Select(_ => random.NextSingle())];
        File.WriteAllBytes(Path.Combine(samples, "image.npy"), NumpySampleTests.Npy("<f4", [1, 3, ConvNetConfig.ImageSize, ConvNetConfig.ImageSize], NumpySampleTests.Float32(image)));

        var (exitCode, log) = CpuidMask.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "modelbuild.dll"), "compile", "conv-net.onnx",
            "--quantize", "int8", "--targets", "x64", "--fallback", "none", "--cache", "off", "--sample-inputs", samples, "--out", temp.File("out")], mask, temp.Path);

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
}
