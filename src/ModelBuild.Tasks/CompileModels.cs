using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// Runs <c>modelbuild compile --manifest …</c> once for all out-of-date models. ToolTask stops the compiler with its
    /// process tree on cancel (Ctrl+C) and after <see cref="CompileTimeout"/>.
    /// </summary>
    public sealed class CompileModels : ModelBuildToolTask
    {
        /// <summary>An hour: far above any single model's verification budget, low enough that a stuck build ends.</summary>
        public const double DefaultCompileTimeoutSeconds = 3600;

        /// <summary>Items from <see cref="ResolveModels"/>.</summary>
        [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>Design-time builds only need the signatures, so the IDE sees the generated types quickly.</summary>
        public bool SignatureOnly { get; set; }

        /// <summary>Compile cache shared by builds (<c>$(ModelBuildCacheDirectory)</c>); empty = the default under the user profile.</summary>
        public string CacheDirectory { get; set; } = "";

        /// <summary>Seconds the compiler may run in all (<c>$(ModelBuildCompileTimeout)</c>); 0 = no limit.</summary>
        public double CompileTimeout { get; set; } = DefaultCompileTimeoutSeconds;

        protected override string Command => "compile";

        public override bool Execute()
        {
            if (Models.Length == 0)
            {
                return true;
            }
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
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(ManifestFile))!);
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
                Log.LogError(null, "MB4042", null, CurrentModel ?? (Models.Length == 1 ? Models[0].ItemSpec : ManifestFile), 0, 0, 0, 0,
                    "The ModelBuild compiler did not finish within {0} s (ModelBuildCompileTimeout) and was stopped with its process tree while compiling {1}. " +
                    "Raise ModelBuildCompileTimeout, or lower VerifyTimeout so that verification gives up sooner.",
                    CompileTimeout.ToString(CultureInfo.InvariantCulture), models);
            }
            return exitCode;
        }
    }
}
