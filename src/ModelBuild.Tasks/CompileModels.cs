using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// Runs the ModelBuild compiler (<c>dotnet modelbuild.dll compile --manifest …</c>) once for all out-of-date models.
    /// The compiler runs in its own process so that ONNX Runtime and other native code never load into MSBuild,
    /// whose reused nodes would otherwise keep native libraries and model files locked. ToolTask stops it with its
    /// process tree on cancel (Ctrl+C) and after <see cref="CompileTimeout"/>.
    /// </summary>
    public sealed class CompileModels : ToolTask
    {
        /// <summary>Items from <see cref="ResolveModels"/>.</summary>
        [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>Path of <c>modelbuild.dll</c>.</summary>
        [Required] public string CompilerPath { get; set; } = "";

        /// <summary>Where the job list for the compiler is written.</summary>
        [Required] public string ManifestFile { get; set; } = "";

        /// <summary>Design-time builds only need the signatures, so the IDE sees the generated types quickly.</summary>
        public bool SignatureOnly { get; set; }

        /// <summary>Compile cache shared by builds (<c>$(ModelBuildCacheDirectory)</c>); empty = the default under the user profile.</summary>
        public string CacheDirectory { get; set; } = "";

        /// <summary>Seconds the compiler may run in all (<c>$(ModelBuildCompileTimeout)</c>); 0 = no limit.</summary>
        public double CompileTimeout { get; set; } = DefaultCompileTimeoutSeconds;

        /// <summary>An hour: far above any single model's verification budget, low enough that a stuck build ends.</summary>
        public const double DefaultCompileTimeoutSeconds = 3600;

        /// <summary>The model the compiler said it was working on last: where a crash is reported.</summary>
        private string? _currentModel;

        protected override string ToolName => RuntimeInformationIsWindows() ? "dotnet.exe" : "dotnet";

        protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Low;

        protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.Normal;

        public override bool Execute()
        {
            if (Models.Length == 0)
            {
                return true;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(ManifestFile))!);
            if (CompileTimeout < 0 || double.IsNaN(CompileTimeout) || CompileTimeout * 1000 > int.MaxValue)
            {
                Log.LogError(null, "MB4043", null, ManifestFile, 0, 0, 0, 0,
                    "ModelBuildCompileTimeout '{0}' is not a number of seconds between 0 (no limit) and {1}.", CompileTimeout, int.MaxValue / 1000);
                return false;
            }
            if (CompileTimeout > 0)
            {
                Timeout = (int)Math.Ceiling(CompileTimeout * 1000);
            }
            File.WriteAllText(ManifestFile, CompileManifest.Write(Models, SignatureOnly, CacheDirectory), new UTF8Encoding(false));
            return base.Execute();
        }

        protected override int ExecuteTool(string pathToTool, string responseFileCommands, string commandLineCommands)
        {
            Stopwatch clock = Stopwatch.StartNew();
            int exitCode = base.ExecuteTool(pathToTool, responseFileCommands, commandLineCommands);
            if (CompileTimeout > 0 && clock.Elapsed.TotalSeconds >= CompileTimeout && exitCode != 0)
            {
                string models = string.Join(", ", Models.Select(m => m.ItemSpec));
                Log.LogError(null, "MB4042", null, Models.Length == 1 ? Models[0].ItemSpec : ManifestFile, 0, 0, 0, 0,
                    "The ModelBuild compiler did not finish within {0} s (ModelBuildCompileTimeout) and was stopped with its process tree while compiling {1}. " +
                    "Raise ModelBuildCompileTimeout, or lower VerifyTimeout so that verification gives up sooner.",
                    CompileTimeout.ToString(CultureInfo.InvariantCulture), models);
            }
            return exitCode;
        }

        protected override string GenerateFullPathToTool()
        {
            // The .NET CLI tells MSBuild which host runs it; fall back to the first dotnet on PATH (Visual Studio).
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host!;
            }
            string path = Environment.GetEnvironmentVariable("PATH") ?? "";
            return path.Split(Path.PathSeparator)
                .Where(dir => dir.Length > 0)
                .Select(dir => Path.Combine(dir, ToolName))
                .FirstOrDefault(File.Exists) ?? ToolName;
        }

        protected override string GenerateCommandLineCommands()
        {
            var builder = new CommandLineBuilder();
            builder.AppendFileNameIfNotNull(CompilerPath);
            builder.AppendSwitch("compile");
            builder.AppendSwitchIfNotNull("--manifest ", ManifestFile);
            return builder.ToString();
        }

        protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
        {
            CompilerMessage? message = CompilerMessage.TryParse(singleLine);
            if (message == null)
            {
                Log.LogMessage(messageImportance, "{0}", singleLine);
                return;
            }
            switch (message.Kind)
            {
                case "error":
                    Log.LogError(null, message.Code, null, message.File, 0, 0, 0, 0, "{0}", message.Text);
                    break;
                case "warning":
                    Log.LogWarning(null, message.Code, null, message.File, 0, 0, 0, 0, "{0}", message.Text);
                    break;
                case "begin":
                    _currentModel = message.File;
                    break;
                case "info":
                    Log.LogMessage(MessageImportance.Normal, "{0}", message.Text);
                    break;
                default:
                    Log.LogMessage(MessageImportance.Low, "{0}", message.Text);
                    break;
            }
        }

        protected override bool HandleTaskExecutionErrors()
        {
            // The compiler reports its own errors through the protocol; only an unexplained failure (a crash) needs one more.
            if (Log.HasLoggedErrors)
            {
                return false;
            }
            Log.LogError(null, "MB4010", null, _currentModel ?? ManifestFile, 0, 0, 0, 0,
                "The ModelBuild compiler exited with code {0} ({1}) without reporting an error{2}. Build again with -v:detailed to see its output, and report it as a bug.",
                ExitCode, ExitCodeMeaning(ExitCode), _currentModel == null ? "" : " while compiling this model");
            return false;
        }

        /// <summary>Unix exit codes of a process killed by a signal (128 + signal), as a crash of native code leaves them.</summary>
        private static string ExitCodeMeaning(int exitCode)
        {
            switch (exitCode)
            {
                case 134: return "aborted: SIGABRT";
                case 137: return "killed: SIGKILL, often the out-of-memory killer";
                case 139: return "crashed: SIGSEGV";
                default: return "a crash";
            }
        }

        private static bool RuntimeInformationIsWindows() => Path.DirectorySeparatorChar == '\\';
    }
}
