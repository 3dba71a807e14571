using System.Diagnostics;
using System.Text;

namespace ModelBuild.EndToEnd.Tests.Infrastructure;

/// <summary>Runs the real .NET CLI in a clean environment (none of the test host's MSBuild variables).</summary>
public static class Dotnet
{
    public sealed record Result(int ExitCode, string Output)
    {
        public Result ShouldSucceed()
        {
            Xunit.Assert.True(ExitCode == 0, $"Command failed with exit code {ExitCode}:\n{Output}");
            return this;
        }
    }

    public static Result Run(string workingDirectory, params string[] args) => Exec("dotnet", workingDirectory, args);

    public static Result Exec(string fileName, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (string key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("DOTNET_HOST", StringComparison.OrdinalIgnoreCase) || key == "NUGET_PACKAGES")
            {
                start.Environment.Remove(key);
            }
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{fileName} {string.Join(' ', args)}' did not finish in 8 minutes:\n{output}");
        }
        process.WaitForExit();
        lock (output)
        {
            return new Result(process.ExitCode, output.ToString());
        }
    }
}
