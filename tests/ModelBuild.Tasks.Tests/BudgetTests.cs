using System.Diagnostics;
using ModelZoo;

namespace ModelBuild.Tasks.Tests;

/// <summary>A model that never finishes verifying ends the build: at its verification budget, or at the compiler's overall timeout.</summary>
public sealed class BudgetTests
{
    [Fact]
    public void An_endless_loop_ends_the_build_at_the_verification_budget()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("models"));
        string model = HostileModels.Write(HostileModels.EndlessLoop(), temp.File("models"), "endless.onnx");
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="models/endless.onnx" Quantize="int8" VerifyTimeout="2" />""");

        var clock = Stopwatch.StartNew();
        MsBuild.Result result = MsBuild.Run(project, "Compile");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal(["MB5650"], result.ErrorCodes.Distinct());
        Assert.Contains(result.Lines, l => l.StartsWith($"{model} : error MB5650: ", StringComparison.Ordinal) && l.Contains("2 s"));
        Assert.False(File.Exists(temp.File("obj/modelbuild/Endless.assets.txt")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(100), $"took {clock.Elapsed}");
    }

    [Fact]
    public void The_compile_timeout_stops_the_compiler_and_names_the_model()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("models"));
        string model = HostileModels.Write(HostileModels.EndlessLoop(), temp.File("models"), "endless.onnx");
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="models/endless.onnx" VerifyTimeout="600" />""");

        MsBuild.Result result = MsBuild.Run(project, "Compile", "CompileTimeout=8");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Contains("MB4042", result.ErrorCodes);
        Assert.Contains(result.Lines, l => l.StartsWith($"{model} : error MB4042: ", StringComparison.Ordinal) && l.Contains("8 s"));
        Assert.DoesNotContain("MB4010", result.Output);
    }

    [Fact]
    public void Budget_metadata_is_checked()
    {
        using var temp = new TempFolder();
        temp.Touch("t.onnx", "m.onnx");
        string project = MsBuild.WriteProject(temp.Path, """
                <Model Include="t.onnx" VerifyTimeout="soon" />
                <Model Include="m.onnx" VerifyMemoryLimit="4 TB" />
            """);

        MsBuild.Result result = MsBuild.Run(project, "Resolve");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal(["MB4040", "MB4041"], result.ErrorCodes.Distinct().Order());
    }
}
