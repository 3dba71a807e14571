using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;

namespace ModelBuild.Compiler.Tests.Variants;

/// <summary>What each target gets for each Quantize (docs/compilation.md's table), and option parsing.</summary>
public sealed class VariantPlannerTests
{
    private static CompileJob Job(string? quantize = null, string? targets = null, string? overrides = null, string? optimize = null, string? fallback = null) =>
        Jobs.For("/m/net.onnx", "/out") with { Quantize = quantize, Targets = targets, TargetQuantize = overrides, Optimize = optimize, Fallback = fallback };

    // Fallback="none": one target's own form, without the cpu fallback a lone cuda target brings.
    private static VariantPlan Single(string quantize, string target, string? optimize = null) =>
        Assert.Single(VariantPlanner.Plan(CompileSettings.Parse(Job(quantize, target, optimize: optimize, fallback: "none"))));

    [Theory]
    [InlineData("none", "cpu", "Fp32", "Extended", false, "cpu")]
    [InlineData("int8", "cpu", "Int8Reduced", "Extended", false, "cpu")]
    [InlineData("int8", "x64", "Int8Reduced", "Extended", false, "cpu")]
    [InlineData("int8", "arm64", "Int8", "Extended", false, "cpu")]
    [InlineData("int8", "mobile", "Int8", "Basic", true, "cpu")]
    [InlineData("fp16", "cpu", "Fp16Weights", "Extended", false, "cpu")]
    [InlineData("fp16", "cuda", "Fp16Compute", "None", false, "cuda")]
    [InlineData("fp16", "arm64", "Fp16Compute", "None", false, "cpu")]
    [InlineData("fp16", "mobile", "Fp16Weights", "Basic", true, "cpu")]
    [InlineData("none", "cuda", "Fp32", "Basic", false, "cuda")]
    [InlineData("int4", "cuda", "Int4", "Basic", false, "cuda")]
    [InlineData("int4", "arm64", "Int4", "Extended", false, "cpu")]
    public void Each_target_gets_its_form(string quantize, string target, string form, string level, bool ort, string provider)
    {
        VariantPlan plan = Single(quantize, target);

        Assert.Equal(Enum.Parse<VariantForm>(form), plan.Form);
        Assert.Equal(Enum.Parse<OptimizationLevel>(level), plan.Optimize);
        Assert.Equal(ort, plan.OrtFormat);
        Assert.Equal(provider, plan.ExecutionProvider);
        Assert.Null(plan.Substitution);
        Assert.Equal(ort ? "net.ort" : "net.onnx", plan.FileName("net.onnx"));
    }

    [Fact]
    public void Int8_on_cuda_becomes_fp32_and_says_why()
    {
        VariantPlan plan = Single("int8", "cuda");

        Assert.Equal(QuantizeMode.Int8, plan.Requested);
        Assert.Equal(QuantizeMode.None, plan.Applied);
        Assert.Equal(VariantForm.Fp32, plan.Form);
        Assert.Contains("CudaQuantize=\"fp16\"", plan.Substitution);
        Assert.Equal(VariantForm.Fp16Compute, Single("fp16", "cuda").Form);
    }

    [Fact]
    public void Optimize_none_or_basic_is_never_raised()
    {
        Assert.Equal(OptimizationLevel.None, Single("none", "mobile", "none").Optimize);
        Assert.Equal(OptimizationLevel.Basic, Single("int8", "arm64", "basic").Optimize);
    }

    [Fact]
    public void Targets_are_deduplicated_and_put_in_canonical_order_with_per_target_overrides()
    {
        CompileSettings settings = CompileSettings.Parse(Job("int8", "mobile;CUDA; arm64;mobile", "cuda=fp16;mobile=none", fallback: "none"));

        IReadOnlyList<VariantPlan> plans = VariantPlanner.Plan(settings);

        Assert.Equal([Target.Arm64, Target.Cuda, Target.Mobile], plans.Select(p => p.Target));
        Assert.Equal([QuantizeMode.Int8, QuantizeMode.Fp16, QuantizeMode.None], plans.Select(p => p.Applied));
        Assert.All(plans, p => Assert.Null(p.Substitution));   // cuda's fp16 was asked for
    }

    [Fact]
    public void Defaults_are_one_portable_fp32_variant_verified_with_8_samples()
    {
        CompileSettings settings = CompileSettings.Parse(Job());

        Assert.Equal([Target.Cpu], settings.Targets);
        Assert.Equal(QuantizeMode.None, settings.Quantize);
        Assert.Equal(OptimizationLevel.Extended, settings.Optimize);
        Assert.Equal(VerifyMode.Error, settings.Verify);
        Assert.Equal(8, settings.VerifySamples);
        Assert.Null(settings.MinCosine);
        Assert.Equal(0.99999, VariantPlanner.Plan(settings)[0].DefaultMinCosine);
    }

    [Theory]
    [InlineData("cuda", null, "cpu;cuda")]
    [InlineData("cuda", "CPU", "cpu;cuda")]
    [InlineData("arm64;cuda", null, "cpu;arm64;cuda")]     // arm64 does not run on cuda's machines (linux-x64, win-x64)
    [InlineData("mobile;cuda", null, "cpu;cuda;mobile")]
    [InlineData("cuda", "none", "cuda")]
    [InlineData("x64;cuda", null, "cpu;x64;cuda")]         // x64 serves cuda's machines, but not linux-arm64 or android
    [InlineData("cpu;cuda", null, "cpu;cuda")]
    [InlineData("arm64;mobile", null, "cpu;arm64;mobile")] // no accelerator, but x64 machines need a CPU variant too
    [InlineData("x64;arm64;mobile", "none", "x64;arm64;mobile")]
    [InlineData("x64", null, "cpu;x64")]
    public void Targets_without_cpu_get_a_portable_cpu_fallback_unless_Fallback_is_none(string targets, string? fallback, string planned)
    {
        IReadOnlyList<VariantPlan> plans = VariantPlanner.Plan(CompileSettings.Parse(Job("int8", targets, "cuda=fp16", fallback: fallback)));

        Assert.Equal(planned, string.Join(";", plans.Select(p => p.Target.Name())));
        Assert.Equal(planned.StartsWith("cpu", StringComparison.Ordinal) && !targets.Contains("cpu", StringComparison.Ordinal), plans[0].Fallback);
        Assert.All(plans.Skip(1), p => Assert.False(p.Fallback));
    }

    [Fact]
    public void The_fallback_is_the_models_quantize_in_portable_form()
    {
        VariantPlan fallback = VariantPlanner.Plan(CompileSettings.Parse(Job("int8", "cuda", "cuda=fp16")))[0];

        Assert.Equal(new VariantPlan(Target.Cpu, QuantizeMode.Int8, QuantizeMode.Int8, VariantForm.Int8Reduced, OptimizationLevel.Extended,
            OrtFormat: false, "cpu", Substitution: null, Fallback: true), fallback);
        Assert.Equal(Single("int8", "cpu").Identity, fallback.Identity);   // same bytes as a requested cpu variant: one cache entry
    }

    [Theory]
    [InlineData("int3", null, null, "Quantize 'int3'")]
    [InlineData(null, "tpu", null, "Targets 'tpu'")]
    [InlineData(null, "cpu", "cuda", "'cuda' is not of the form")]
    [InlineData("1", null, null, "Quantize '1'")]   // enum parsing would take a number
    public void Bad_options_from_the_command_line_are_refused(string? quantize, string? targets, string? overrides, string message)
    {
        var e = Assert.Throws<SettingsException>(() => CompileSettings.Parse(Job(quantize, targets, overrides)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_bad_fallback_is_refused()
    {
        var e = Assert.Throws<SettingsException>(() => CompileSettings.Parse(Job(targets: "cuda", fallback: "gpu")));
        Assert.Contains("Fallback 'gpu'", e.Message);
    }
}
