using System.Diagnostics;
using System.Reflection;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelBuild.Tasks.Tests;

/// <summary>
/// A throw-away project that loads ResolveModels and CompileModels from the built ModelBuild.Tasks.dll, run by a
/// real <c>dotnet msbuild</c> process in a clean environment (none of the test host's MSBuild variables).
/// </summary>
internal sealed partial class MsBuild
{
    public sealed record Result(int ExitCode, string Output)
    {
        /// <summary>The error codes of the lines MSBuild reports as errors (the code right after the first ": error ").</summary>
        public IReadOnlyList<string> ErrorCodes => CanonicalError().Matches(Output).Select(m => m.Groups["code"].Value).ToList();

        /// <summary>Output lines without indentation and the "1>" node prefix.</summary>
        public string[] Lines => Output.Split('\n').Select(l => NodePrefix().Replace(l, "")).ToArray();

        /// <summary>"N Error(s)" from the console logger's summary.</summary>
        public int ErrorCount => int.Parse(ErrorSummary().Matches(Output).Last().Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string TasksAssembly
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "ModelBuild.Tasks.dll");
            Assert.True(File.Exists(path), $"{path} not found");
            return path;
        }
    }

    public static string CompilerPath
    {
        get
        {
            string? path = typeof(MsBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "ModelBuildCompilerPath")?.Value;
            Assert.False(string.IsNullOrEmpty(path), "ModelBuildCompilerPath is stamped into the test assembly at build time");
            Assert.True(File.Exists(path), $"{path} not found");
            return path!;
        }
    }

    /// <summary>Writes the project: <paramref name="items"/> are the inner XML of an ItemGroup (Model items).</summary>
    public static string WriteProject(string folder, string items, string? compilerPath = null, string extraTargets = "")
    {
        string project = $"""
            <Project>
              <UsingTask TaskName="ModelBuild.Tasks.ResolveModels" AssemblyFile="{SecurityElement.Escape(TasksAssembly)}" />
              <UsingTask TaskName="ModelBuild.Tasks.CompileModels" AssemblyFile="{SecurityElement.Escape(TasksAssembly)}" />
              <PropertyGroup>
                <DefaultNs Condition="'$(DefaultNs)' == ''">Default.Models</DefaultNs>
                <CompilerIdentity Condition="'$(CompilerIdentity)' == ''">test-1</CompilerIdentity>
                <Obj>$(MSBuildProjectDirectory)/obj/modelbuild/</Obj>
              </PropertyGroup>
              <ItemGroup>
            {items}
              </ItemGroup>
              <Target Name="Resolve">
                <ResolveModels Models="@(Model)" DefaultNamespace="$(DefaultNs)" DefaultAccess="public"
                               IntermediateDirectory="$(Obj)" AssetFolder="models" CompilerIdentity="$(CompilerIdentity)">
                  <Output TaskParameter="ResolvedModels" ItemName="Resolved" />
                </ResolveModels>
                <WriteLinesToFile File="resolved.txt" Overwrite="true"
                  Lines="@(Resolved->'%(Identity)|%(OriginalItemSpec)|%(ClassName)|%(Namespace)|%(Access)|%(OutputDirectory)|%(SignatureFile)|%(AssetListFile)|%(OptionsFile)|%(AssetPathPrefix)')" />
              </Target>
              <Target Name="Compile" DependsOnTargets="Resolve">
                <CompileModels Models="@(Resolved)" CompilerPath="{SecurityElement.Escape(compilerPath ?? CompilerPath)}" ManifestFile="$(Obj)compile.json" CacheDirectory="$(MSBuildProjectDirectory)/cache"
                               CompileTimeout="$(CompileTimeout)" />
              </Target>
            {extraTargets}
            </Project>
            """;
        string path = Path.Combine(folder, "temp.proj");
        File.WriteAllText(path, project);
        return path;
    }

    public static Result Run(string project, string target, params string[] properties)
    {
        using Running build = Start(project, target, properties);
        if (!build.Process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            build.Process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet msbuild did not finish in 2 minutes:\n{build.Output}");
        }
        return build.Finish();
    }

    /// <summary>A <c>dotnet msbuild</c> process started by <see cref="Start"/>, its output collected as it comes.</summary>
    public sealed class Running(Process process, StringBuilder output) : IDisposable
    {
        public Process Process { get; } = process;

        public string Output
        {
            get { lock (output) return output.ToString(); }
        }

        /// <summary>Waits for the end of the output and returns the result.</summary>
        public Result Finish()
        {
            Process.WaitForExit();
            return new Result(Process.ExitCode, Output);
        }

        public void Dispose() => Process.Dispose();
    }

    public static Running Start(string project, string target, params string[] properties)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(project)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "msbuild", project, $"-t:{target}", "-nodeReuse:false", "-nologo", "-v:n", "-tl:off", "-clp:Summary;ForceNoAlign" }
                     .Concat(properties.Select(p => $"-p:{p}")))
        {
            start.ArgumentList.Add(arg);
        }
        foreach (string key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("DOTNET_HOST", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Append(e.Data).Append('\n'); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Append(e.Data).Append('\n'); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Running(process, output);
    }

    // "file(1,1): error XX0001: text" or "file : error XX0001: text", as the console logger prints an error.
    [GeneratedRegex(@"^[^\n]*?:\s*error (?<code>[A-Za-z]+\d+)\s*:", RegexOptions.Multiline)]
    private static partial Regex CanonicalError();

    [GeneratedRegex(@"^\s*(\d+>)?\s*")]
    private static partial Regex NodePrefix();

    [GeneratedRegex(@"^\s*(\d+) Error\(s\)", RegexOptions.Multiline)]
    private static partial Regex ErrorSummary();
}
