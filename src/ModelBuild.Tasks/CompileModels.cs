using System;
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
    /// whose reused nodes would otherwise keep native libraries and model files locked.
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
            File.WriteAllText(ManifestFile, CompileManifest.Write(Models, SignatureOnly, CacheDirectory), new UTF8Encoding(false));
            return base.Execute();
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

        private static bool RuntimeInformationIsWindows() => Path.DirectorySeparatorChar == '\\';
    }
}
