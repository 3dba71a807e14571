using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;
using ModelBuild.Shared;

namespace ModelBuild.Compiler.Tests.Variants;

/// <summary>The compiler reads the shared target table and option schema: same names, same rules as MSBuild.</summary>
public sealed class SharedTablesTests
{
    [Fact]
    public void The_target_enum_is_the_target_table_in_its_order()
    {
        Assert.Equal(BuildTargets.All.Select(t => t.Name), Enum.GetValues<Target>().Select(t => t.Name()));
    }

    [Fact]
    public void Every_option_of_the_schema_is_a_compile_job_field_and_a_command_line_switch()
    {
        CompileJob job = Jobs.For("/m/net.onnx", "/out");
        foreach (CompileOption option in CompileOptions.All)
        {
            Assert.Null(job.Option(option.Name));   // a field of the record, unset
            Assert.StartsWith("--", option.Switch, StringComparison.Ordinal);
        }
        Assert.Equal("--verify-samples", CompileOptions.VerifySamples.Switch);
        Assert.Equal("CudaQuantize", CompileOptions.Quantize.PerTargetName("cuda"));
    }

    /// <summary>Out-of-range and misspelled values of every option: the compiler refuses each with the code and text MSBuild uses.</summary>
    [Theory]
    [InlineData("Quantize", "int3")]
    [InlineData("Targets", "tpu")]
    [InlineData("Optimize", "all")]
    [InlineData("Verify", "maybe")]
    [InlineData("MinCosine", "1.5")]
    [InlineData("MinCosine", "-0.1")]
    [InlineData("MinCosine", "1,5")]
    [InlineData("MaxAbsError", "-1")]
    [InlineData("MaxAbsError", "NaN")]
    [InlineData("VerifySamples", "0")]
    [InlineData("VerifySamples", "1001")]
    [InlineData("VerifySamples", "2.5")]
    [InlineData("Fallback", "gpu")]
    public void Bad_values_are_refused_with_the_codes_and_texts_MSBuild_reports(string name, string value)
    {
        CompileOption option = CompileOptions.All.Single(o => o.Name == name);
        Assert.False(option.TryNormalize(value, out _, out string expected));

        var e = Assert.Throws<SettingsException>(() => CompileSettings.Parse(With(name, value)));

        Assert.Equal(option.Code, e.Code);
        Assert.Equal(expected, e.Message);
        Assert.Contains($"'{value}'", e.Message);
    }

    [Theory]
    [InlineData("VerifySamples", "1", "1")]
    [InlineData("VerifySamples", "1000", "1000")]
    [InlineData("MinCosine", "0", "0")]
    [InlineData("MinCosine", "1", "1")]
    [InlineData("MaxAbsError", "1e-2", "0.01")]
    [InlineData("Targets", " mobile; cuda;arm64;cuda", "arm64;cuda;mobile")]
    [InlineData("Quantize", " INT8 ", "int8")]
    public void Values_at_the_ends_of_each_range_are_accepted_and_normalised(string name, string value, string normalised)
    {
        CompileOption option = CompileOptions.All.Single(o => o.Name == name);

        Assert.True(option.TryNormalize(value, out string result, out _));
        Assert.Equal(normalised, result);
        CompileSettings.Parse(With(name, value));
    }

    private static CompileJob With(string option, string value)
    {
        CompileJob job = Jobs.For("/m/net.onnx", "/out");
        typeof(CompileJob).GetProperty(option)!.SetValue(job, value);
        return job;
    }
}
