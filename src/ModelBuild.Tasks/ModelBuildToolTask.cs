using System;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// Runs a command of the ModelBuild compiler (<c>dotnet modelbuild.dll &lt;command&gt; --manifest &lt;job&gt;</c>) out of
    /// the MSBuild process and turns its <c>##modelbuild|</c> protocol lines (<see cref="CompilerMessage"/>) into build
    /// errors, warnings and messages: the one transport for every tool message. ONNX Runtime and NuGet.Packaging never
    /// load into MSBuild, whose reused nodes would otherwise keep native libraries and model files locked.
    /// </summary>
    public abstract class ModelBuildToolTask : ToolTask
    {
        /// <summary>Path of <c>modelbuild.dll</c>.</summary>
        [Required] public string CompilerPath { get; set; } = "";

        /// <summary>The job file the command reads (written by the task or the targets before it runs).</summary>
        [Required] public string ManifestFile { get; set; } = "";

        /// <summary>The compiler command, e.g. <c>compile</c>.</summary>
        protected abstract string Command { get; }

        protected override string ToolName => Path.DirectorySeparatorChar == '\\' ? "dotnet.exe" : "dotnet";

        protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Low;

        protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.Normal;

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
            builder.AppendSwitch(Command);
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
            Log.LogError(null, "MB4010", null, ManifestFile, 0, 0, 0, 0,
                "The ModelBuild compiler exited with code {0} without reporting an error. Build again with -v:detailed to see its output, and report it as a bug.",
                ExitCode);
            return false;
        }
    }
}
