using System.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelZoo;

namespace ModelBuild.Compiler.Tests.Hostile;

/// <summary>
/// Models that would hang or exhaust verification end with an MB565x diagnostic within their budget. A lossy variant
/// is an error that leaves no output and no cache entry; a lossless one ships unverified with a warning.
/// Time bounds are generous (a loaded 2-core machine): they catch a hang, not slowness.
/// </summary>
public sealed class VerificationBudgetTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    private static (bool Ok, string[] Lines, TimeSpan Elapsed) Compile(TempFolder temp, string model, Func<CompileJob, CompileJob> options)
    {
        CompileJob job = options(Jobs.For(model, temp.File("out")));
        var clock = Stopwatch.StartNew();
        var (ok, lines) = Jobs.Run(job, cacheDirectory: temp.File("cache"));
        return (ok, lines, clock.Elapsed);
    }

    private static void AssertNothingWritten(TempFolder temp)
    {
        string[] outputs = Directory.Exists(temp.File("out")) ? Directory.GetFileSystemEntries(temp.File("out"), "*", SearchOption.AllDirectories) : [];
        Assert.Empty(outputs);
        string[] cached = Directory.Exists(temp.File("cache")) ? Directory.GetFiles(temp.File("cache"), "*", SearchOption.AllDirectories) : [];
        Assert.Empty(cached);
    }

    [Fact]
    public void An_endless_loop_is_stopped_at_the_time_budget()
    {
        using var temp = new TempFolder();
        string model = HostileModels.Write(HostileModels.EndlessLoop(), temp.Path, "endless.onnx");

        var (ok, lines, elapsed) = Compile(temp, model, job => job with { Quantize = "int8", VerifyTimeout = "2" });

        Assert.False(ok, string.Join("\n", lines));
        var error = Jobs.SingleError(lines);
        Assert.Equal("MB5650", error.Code);
        Assert.Equal(model, error.File);
        Assert.Contains("2 s", error.Text);
        Assert.True(elapsed < Generous, $"took {elapsed}");
        AssertNothingWritten(temp);
        // No weights to quantize: MB5002 says why instead of printing empty parentheses.
        var noWeights = lines.Select(Jobs.Parse).Single(l => l.Code == "MB5002");
        Assert.DoesNotContain("()", noWeights.Text);
    }

    [Fact]
    public void An_endless_loop_is_stopped_at_the_time_budget_in_fp16_calibration_too()
    {
        // fp16 compute (arm64, cuda) runs the model to calibrate before verification does: the same budget holds there.
        using var temp = new TempFolder();
        string model = HostileModels.Write(HostileModels.EndlessLoop(), temp.Path, "endless.onnx");

        var (ok, lines, elapsed) = Compile(temp, model, job => job with { Quantize = "fp16", Targets = "arm64;cuda", VerifyTimeout = "2" });

        Assert.False(ok, string.Join("\n", lines));
        Assert.Contains(lines.Select(Jobs.Parse), l => l.Code == "MB5650");
        Assert.True(elapsed < Generous, $"took {elapsed}");
        AssertNothingWritten(temp);
    }

    [Fact]
    public void An_endless_loop_is_stopped_at_the_time_budget_in_conv_int8_calibration_too()
    {
        // Static int8 Conv (x64, SampleInputs given) calibrates and searches by running the model before verification
        // does: the item's VerifyTimeout holds there, not the 120 s default.
        using var temp = new TempFolder();
        string model = HostileModels.Write(HostileModels.ConvBesideEndlessLoop(), temp.Path, "endless-conv.onnx");
        string samples = temp.File("samples");
        Directory.CreateDirectory(samples);
        File.WriteAllBytes(Path.Combine(samples, "x.npy"), Verification.NumpySampleTests.Npy("<f4", [1], Verification.NumpySampleTests.Float32([1f])));
        File.WriteAllBytes(Path.Combine(samples, "image.npy"),
            Verification.NumpySampleTests.Npy("<f4", [1, 2, 4, 4], Verification.NumpySampleTests.Float32([.. Enumerable.Range(0, 32).Select(i => i / 32f)])));

        var (ok, lines, elapsed) = Compile(temp, model, job => job with { Quantize = "int8", Targets = "x64", SampleInputs = samples, VerifyTimeout = "2" });

        Assert.False(ok, string.Join("\n", lines));
        var error = Jobs.SingleError(lines);
        Assert.Equal("MB5650", error.Code);
        Assert.Contains("2 s", error.Text);
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"took {elapsed}"); // the 120 s default would have run past this
        AssertNothingWritten(temp);
    }

    [Fact]
    public void A_lossless_variant_over_the_time_budget_ships_unverified_with_a_warning()
    {
        using var temp = new TempFolder();
        string model = HostileModels.Write(HostileModels.EndlessLoop(), temp.Path, "endless.onnx");

        var (ok, lines, elapsed) = Compile(temp, model, job => job with { VerifyTimeout = "1" });

        Assert.True(ok, string.Join("\n", lines));
        var warning = lines.Select(Jobs.Parse).Single(l => l.Kind == "warning" && l.Code == "MB5650");
        Assert.Contains("lossless", warning.Text);
        Assert.Contains("unverified", warning.Text);
        Assert.True(elapsed < Generous, $"took {elapsed}");
        Assert.True(File.Exists(temp.File("out/Net.assets.txt")));
    }

    [Fact]
    public void A_growing_scan_loop_is_stopped_at_the_memory_budget()
    {
        using var temp = new TempFolder();
        string model = HostileModels.Write(HostileModels.EndlessLoop(growingScanFloats: 1 << 18), temp.Path, "growing.onnx");
        long before = Process.GetCurrentProcess().WorkingSet64;

        // The budget is the process's working set: the test host's own plus 600 MB of room.
        string limit = $"{(before >> 20) + 600}MB";
        var (ok, lines, elapsed) = Compile(temp, model, job => job with { Quantize = "int8", VerifyMemoryLimit = limit });

        Assert.False(ok, string.Join("\n", lines));
        var error = Jobs.SingleError(lines);
        Assert.Equal("MB5651", error.Code);
        Assert.Contains(limit.Replace("MB", " MB"), error.Text);
        Assert.True(elapsed < Generous, $"took {elapsed}");
        AssertNothingWritten(temp);
    }

    [Fact]
    public void A_constant_of_shape_over_the_memory_budget_is_refused_before_running()
    {
        using var temp = new TempFolder();
        string model = HostileModels.Write(HostileModels.HugeConstantOfShape(), temp.Path, "huge.onnx");
        long peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;

        var (ok, lines, elapsed) = Compile(temp, model, job => job with { Quantize = "int8" });

        Assert.False(ok, string.Join("\n", lines));
        var error = Jobs.SingleError(lines);
        Assert.Equal("MB5652", error.Code);
        Assert.Contains("'fill'", error.Text);
        Assert.Contains("8589934592 bytes", error.Text);
        Assert.Contains("4 GB", error.Text);
        Assert.True(elapsed < Generous, $"took {elapsed}");
        // Refused by size, not by running: the 8 GB tensor was never allocated.
        Assert.True(Process.GetCurrentProcess().PeakWorkingSet64 - peakBefore < 2L << 30);
        AssertNothingWritten(temp);
    }

    [Fact]
    public void An_input_whose_size_overflows_int64_is_refused_without_a_crash()
    {
        using var temp = new TempFolder();
        string model = HostileModels.Write(HostileModels.OverflowingInput(), temp.Path, "overflow.onnx");

        var (ok, lines, _) = Compile(temp, model, job => job with { Quantize = "int8" });

        Assert.False(ok, string.Join("\n", lines));
        var error = Jobs.SingleError(lines);
        Assert.Equal("MB5652", error.Code);
        Assert.Contains("sample input 'x'", error.Text);
        Assert.Contains("more than 2^63 bytes", error.Text);
        AssertNothingWritten(temp);
    }
}
