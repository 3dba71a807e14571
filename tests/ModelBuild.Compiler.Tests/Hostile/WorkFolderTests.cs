using System.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelZoo;

namespace ModelBuild.Compiler.Tests.Hostile;

/// <summary>Work folders live under the job's intermediate folder, and a compile killed with SIGKILL leaves none past the next one.</summary>
public sealed class WorkFolderTests
{
    [Fact]
    public async Task A_killed_compile_leaves_work_folders_that_the_next_compile_removes()
    {
        using var temp = new TempFolder();
        string endless = HostileModels.Write(HostileModels.EndlessLoop(), temp.Path, "endless.onnx");
        Zoo.Write("iris-classifier.onnx", temp.Path);
        string output = temp.File("out");
        string work = Path.Combine(output, WorkFolders.FolderName);

        // The endless loop keeps verification (and its work folder) alive until the process is killed.
        using (Process compiler = StartCompiler(endless, output, "--verify-timeout", "600"))
        {
            var clock = Stopwatch.StartNew();
            while (!(Directory.Exists(work) && Directory.EnumerateDirectories(work).Any()))
            {
                Assert.False(compiler.HasExited, "the compiler ended before it made a work folder");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no work folder appeared");
                await Task.Delay(50);
            }
            await Task.Delay(300);
            compiler.Kill(); // SIGKILL: no finally runs
            await compiler.WaitForExitAsync();
        }
        string[] left = Directory.GetDirectories(work);
        Assert.NotEmpty(left);
        Assert.All(left, folder => Assert.StartsWith(output, folder));

        using (Process next = StartCompiler(temp.File("iris-classifier.onnx"), output))
        {
            await next.WaitForExitAsync();
            Assert.Equal(0, next.ExitCode);
        }
        Assert.All(left, folder => Assert.False(Directory.Exists(folder), $"{folder} outlived the next compile"));
        Assert.False(Directory.Exists(work), "the work root is removed when empty");
    }

    [Fact]
    public void A_compile_leaves_no_work_folder()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);

        var (ok, lines) = Jobs.Run(Jobs.For(temp.File("iris-classifier.onnx"), temp.File("out")) with { Targets = "cpu;arm64", Quantize = "int8" });

        Assert.True(ok, string.Join("\n", lines));
        Assert.False(Directory.Exists(temp.File($"out/{WorkFolders.FolderName}")));
    }

    [Fact]
    public void Abandoned_cache_temporaries_and_old_work_folders_are_removed_by_the_next_compile()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);
        string cache = temp.File("cache");
        string abandoned = Path.Combine(cache, "tmp", "0123456789abcdef");
        string fresh = Path.Combine(cache, "tmp", "fedcba9876543210");
        // Owned by this (running) process, but two days old: stale by age.
        string oldWork = temp.File($"out/{WorkFolders.FolderName}/ort-{Environment.ProcessId}-0123");
        foreach (string folder in new[] { abandoned, fresh, oldWork })
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "asset"), "half written");
        }
        Directory.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddDays(-2));
        Directory.SetLastWriteTimeUtc(oldWork, DateTime.UtcNow.AddDays(-2));

        var (ok, lines) = Jobs.Run(Jobs.For(temp.File("iris-classifier.onnx"), temp.File("out")), cacheDirectory: cache);

        Assert.True(ok, string.Join("\n", lines));
        Assert.False(Directory.Exists(abandoned));
        Assert.False(Directory.Exists(oldWork));
        Assert.True(Directory.Exists(fresh), "a temporary another build may still be writing is left alone");
    }

    private static Process StartCompiler(string model, string output, params string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "modelbuild.dll"), "compile", model, "--out", output, "--cache", "off" }.Concat(options))
        {
            start.ArgumentList.Add(arg);
        }
        Process process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
