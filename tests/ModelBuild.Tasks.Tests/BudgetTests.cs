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

    [Fact]
    public async Task A_compiler_killed_mid_model_is_reported_on_that_model()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the test finds the compiler process through /proc
        }
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("models"));
        string model = HostileModels.Write(HostileModels.EndlessLoop(), temp.File("models"), "endless.onnx");
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="models/endless.onnx" VerifyTimeout="600" />""");

        Task<MsBuild.Result> build = Task.Run(() => MsBuild.Run(project, "Compile"));
        int compiler = await CompilerProcess(temp.Path, build);
        using (Process process = Process.GetProcessById(compiler))
        {
            process.Kill(); // SIGKILL, as the out-of-memory killer would
        }
        MsBuild.Result result = await build;

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal(["MB4010"], result.ErrorCodes.Distinct());
        Assert.Contains(result.Lines, l => l.StartsWith($"{model} : error MB4010: ", StringComparison.Ordinal) && l.Contains("SIGKILL"));
    }

    [Fact]
    public async Task Cancelling_the_build_stops_the_compiler()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the test finds the compiler process through /proc and sends SIGINT with kill
        }
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("models"));
        HostileModels.Write(HostileModels.EndlessLoop(), temp.File("models"), "endless.onnx");
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="models/endless.onnx" VerifyTimeout="600" />""");

        using MsBuild.Running build = MsBuild.Start(project, "Compile");
        int compiler = await CompilerProcess(temp.Path, build.Process.WaitForExitAsync());
        using (Process interrupt = Process.Start("kill", ["-INT", build.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }
        await build.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, build.Process.ExitCode);
        Assert.False(IsRunning(compiler), $"the compiler (process {compiler}) outlived the cancelled build:\n{build.Output}");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The id of the compiler process working in <paramref name="folder"/> (Linux: found through /proc).</summary>
    private static async Task<int> CompilerProcess(string folder, Task build)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90) && !build.IsCompleted)
        {
            foreach (string proc in Directory.EnumerateDirectories("/proc"))
            {
                try
                {
                    string commandLine = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                    if (commandLine.Contains("modelbuild.dll compile --manifest", StringComparison.Ordinal) && commandLine.Contains(folder, StringComparison.Ordinal)
                        && int.TryParse(Path.GetFileName(proc), out int pid))
                    {
                        // Give it time to start verifying (the endless part).
                        await Task.Delay(1000);
                        return pid;
                    }
                }
                catch (IOException)
                {
                    // The process ended while being read.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
            await Task.Delay(100);
        }
        Assert.Fail("The compiler process was not found.");
        return 0;
    }
}
