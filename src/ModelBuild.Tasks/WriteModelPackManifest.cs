using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// Writes the job of <c>modelbuild pack-models</c> (ModelPackageLayout="PerRid"): the package identity, the
    /// target-to-RID map and every model asset with its path in the package. NuGet.Packaging stays out of this
    /// assembly: the compiler, a separate process, builds the packages.
    /// </summary>
    public sealed class WriteModelPackManifest : Task
    {
        /// <summary>Model assets with <c>ModelBuildTarget</c> and <c>TargetPath</c> metadata.</summary>
        [Required] public ITaskItem[] Assets { get; set; } = Array.Empty<ITaskItem>();

        /// <summary><c>@(ModelBuildTargetRid)</c>: each compilation target with the RIDs it serves.</summary>
        [Required] public ITaskItem[] TargetRids { get; set; } = Array.Empty<ITaskItem>();

        [Required] public string PackageId { get; set; } = "";

        [Required] public string PackageVersion { get; set; } = "";

        public string Authors { get; set; } = "";

        public string Description { get; set; } = "";

        /// <summary>Where the model packages go: the main package's output folder.</summary>
        [Required] public string OutputDirectory { get; set; } = "";

        /// <summary>Where runtime.json and the main package's targets are written.</summary>
        [Required] public string WorkDirectory { get; set; } = "";

        [Required] public string ManifestFile { get; set; } = "";

        public override bool Execute()
        {
            var json = new StringBuilder("{");
            Property(json, "id", PackageId).Append(',');
            Property(json, "version", PackageVersion).Append(',');
            Property(json, "authors", Authors).Append(',');
            Property(json, "description", Description).Append(',');
            Property(json, "outputDirectory", Path.GetFullPath(OutputDirectory)).Append(',');
            Property(json, "workDirectory", Path.GetFullPath(WorkDirectory)).Append(",\"targetRids\":{");
            json.Append(string.Join(",", TargetRids.Select(t => Property(new StringBuilder(), t.ItemSpec, t.GetMetadata("Rids")).ToString())));
            json.Append("},\"assets\":[");
            json.Append(string.Join(",", Assets.Select(a =>
            {
                var asset = new StringBuilder("{");
                Property(asset, "target", a.GetMetadata("ModelBuildTarget")).Append(',');
                Property(asset, "packagePath", a.GetMetadata("TargetPath").Replace('\\', '/')).Append(',');
                return Property(asset, "source", a.GetMetadata("FullPath")).Append('}').ToString();
            })));
            json.Append("]}");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(ManifestFile))!);
            File.WriteAllText(ManifestFile, json.ToString());
            return true;
        }

        private static StringBuilder Property(StringBuilder json, string name, string value)
        {
            CompileManifest.AppendString(json, name);
            json.Append(':');
            CompileManifest.AppendString(json, value);
            return json;
        }
    }
}
