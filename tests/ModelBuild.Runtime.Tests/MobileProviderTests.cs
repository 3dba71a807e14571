using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Runtime.Tests;

/// <summary>
/// The mobile variant's execution provider: the rules as a table (OS and ONNX Runtime's provider list as inputs, since
/// CI runs on no phone), then through Load() with real ONNX Runtime, whose CPU package has neither NNAPI nor Core ML.
/// </summary>
public sealed class MobileProviderTests
{
    private static readonly string[] CpuOnly = ["CPUExecutionProvider"];
    private static readonly string[] AndroidPackage = ["NnapiExecutionProvider", "XnnpackExecutionProvider", "CPUExecutionProvider"];
    private static readonly string[] ApplePackage = ["CoreMLExecutionProvider", "XnnpackExecutionProvider", "CPUExecutionProvider"];

    public static TheoryData<string?, string, string[], string, string> Decisions => new()
    {
        // forced, OS, providers listed, chosen, a piece of the reason
        { null, "Android", AndroidPackage, "nnapi", "NNAPI, this OS's accelerator" },
        { null, "Apple", ApplePackage, "coreml", "Core ML, this OS's accelerator" },
        { null, "Android", CpuOnly, "cpu", "ONNX Runtime lists no NNAPI provider (available: CPUExecutionProvider)" },
        { null, "Apple", CpuOnly, "cpu", "ONNX Runtime lists no Core ML provider" },
        { null, "Other", AndroidPackage, "cpu", "this OS has no mobile accelerator" },
        { "cpu", "Android", AndroidPackage, "cpu", "ModelOptions.ExecutionProvider is 'cpu'" },
        { "nnapi", "Android", AndroidPackage, "nnapi", "ModelOptions.ExecutionProvider is 'nnapi'" },
        { "coreml", "Apple", ApplePackage, "coreml", "ModelOptions.ExecutionProvider is 'coreml'" },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public void The_provider_follows_the_os_and_the_provider_list(string? forced, string os, string[] providers, string expected, string reason)
    {
        MobileProviderDecision decision = MobileProviderPolicy.Choose(forced, Enum.Parse<MobileOs>(os), providers);

        Assert.Equal(expected, decision.Provider);
        Assert.Contains(reason, decision.Reason);
        Assert.Equal(forced is not null, decision.Forced);
    }

    [Theory]
    [InlineData("nnapi", "Apple", "NNAPI runs on Android only")]
    [InlineData("coreml", "Android", "Core ML runs on iOS and macOS only")]
    [InlineData("nnapi", "Android", "ONNX Runtime lists no NNAPI provider")]
    public void A_forced_accelerator_the_machine_lacks_throws_MB3010(string forced, string os, string reason)
    {
        var e = Assert.Throws<MobileProviderUnavailableException>(() => MobileProviderPolicy.Choose(forced, Enum.Parse<MobileOs>(os), CpuOnly));

        Assert.Equal("MB3010", e.Code);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void On_this_machine_the_mobile_variant_runs_on_the_cpu_and_says_why()
    {
        using var folder = new VariantFolder("mobile");

        using var session = folder.Load(folder.Options());

        Assert.Equal("cpu", session.ExecutionProvider);
        Assert.Equal("mobile", session.Variant.Target);
        Assert.Contains(folder.Log, l => l.EndsWith("the mobile variant runs on the CPU: this OS has no mobile accelerator (NNAPI is Android's, Core ML is iOS's and macOS's)", StringComparison.Ordinal));
    }

    [Fact]
    public void An_accelerator_that_does_not_initialise_falls_back_to_the_cpu_with_onnx_runtimes_reason()
    {
        // An Android device whose ONNX Runtime lists NNAPI: appending it to this machine's CPU-only build really fails.
        using var folder = new VariantFolder("mobile");
        var android = VariantFolder.Platform(Architecture.Arm64, mobile: true) with
        {
            Mobile = new MobilePlatform(MobileOs.Android, () => AndroidPackage),
        };

        using var session = folder.Load(folder.Options(), android);

        Assert.Equal("cpu", session.ExecutionProvider);
        Assert.Equal("cpu", session.Variant.ExecutionProvider);
        Assert.Contains(folder.Log, l => l.Contains("the mobile variant runs on the CPU: NNAPI did not initialise (", StringComparison.Ordinal));
    }

    [Fact]
    public void On_a_phone_whose_onnx_runtime_lists_the_accelerator_the_mobile_variant_comes_before_the_cpu_ones()
    {
        using var folder = new VariantFolder("cpu", "arm64", "mobile");
        var android = VariantFolder.Platform(Architecture.Arm64, mobile: true) with { Mobile = new MobilePlatform(MobileOs.Android, () => AndroidPackage) };
        var androidCpuOnly = VariantFolder.Platform(Architecture.Arm64, mobile: true) with { Mobile = new MobilePlatform(MobileOs.Android, () => CpuOnly) };

        VariantChoice accelerated = VariantSelector.Select(folder.Description, folder.BaseDirectory, folder.Options(), android);
        VariantChoice plain = VariantSelector.Select(folder.Description, folder.BaseDirectory, folder.Options(), androidCpuOnly);

        Assert.Equal("mobile", accelerated.Variant.Target);
        Assert.Contains(folder.Log, l => l.Contains("chose the mobile variant", StringComparison.Ordinal) && l.EndsWith("for this device's accelerator (NNAPI or Core ML)", StringComparison.Ordinal));
        Assert.Equal("arm64", plain.Variant.Target);
    }

    [Fact]
    public void Forcing_an_accelerator_selects_the_mobile_variant_and_fails_with_MB3010_where_it_cannot_run()
    {
        using var folder = new VariantFolder("cpu", "mobile");
        var apple = VariantFolder.Platform(Architecture.Arm64, mobile: true) with { Mobile = new MobilePlatform(MobileOs.Apple, () => ApplePackage) };

        var e = Assert.Throws<MobileProviderUnavailableException>(() => folder.Load(folder.Options(provider: "coreml"), apple));

        Assert.Contains("Core ML did not initialise", e.Message);
        Assert.Contains(folder.Log, l => l.Contains("skipped the cpu variant", StringComparison.Ordinal) && l.Contains("ModelOptions.ExecutionProvider is 'coreml'", StringComparison.Ordinal));
        Assert.Throws<MobileProviderUnavailableException>(() => folder.Load(folder.Options(provider: "nnapi")));
    }

    [Fact]
    public void Forcing_cpu_keeps_the_mobile_variant_on_the_cpu_without_trying_an_accelerator()
    {
        Assert.DoesNotContain("NnapiExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
        using var folder = new VariantFolder("mobile");
        var android = VariantFolder.Platform(Architecture.Arm64, mobile: true) with { Mobile = new MobilePlatform(MobileOs.Android, () => AndroidPackage) };

        using var session = folder.Load(folder.Options(provider: "cpu"), android);

        Assert.Equal("cpu", session.ExecutionProvider);
        Assert.Contains(folder.Log, l => l.EndsWith("the mobile variant runs on ModelOptions.ExecutionProvider is 'cpu'", StringComparison.Ordinal));
    }
}
