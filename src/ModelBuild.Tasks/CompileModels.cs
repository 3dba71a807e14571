using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;

namespace ModelBuild.Tasks
{
    /// <summary>Runs <c>modelbuild compile --manifest …</c> once for all out-of-date models.</summary>
    public sealed class CompileModels : ModelBuildToolTask
    {
        /// <summary>Items from <see cref="ResolveModels"/>.</summary>
        [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>Design-time builds only need the signatures, so the IDE sees the generated types quickly.</summary>
        public bool SignatureOnly { get; set; }

        /// <summary>Compile cache shared by builds (<c>$(ModelBuildCacheDirectory)</c>); empty = the default under the user profile.</summary>
        public string CacheDirectory { get; set; } = "";

        protected override string Command => "compile";

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
    }
}
