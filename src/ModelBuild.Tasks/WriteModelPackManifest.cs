using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelBuild.Shared;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// Writes the job of <c>modelbuild pack-models</c> (ModelPackageLayout="PerRid"): the package identity and, for every
    /// runtime identifier of the target table, the model assets that ship for it by the shared shipping rule (what
    /// <c>publish -r</c> of the library would ship), with their paths in the package. NuGet.Packaging stays out of this
    /// assembly: the compiler, a separate process, builds the packages.
    /// </summary>
    public sealed class WriteModelPackManifest : Task
    {
        /// <summary>Resolved models: ClassName, Targets (normalised), Fallback.</summary>
        [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>Model assets with <c>ModelBuildClass</c>, <c>ModelBuildTarget</c> and <c>TargetPath</c> metadata.</summary>
        [Required] public ITaskItem[] Assets { get; set; } = Array.Empty<ITaskItem>();

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
            Property(json, "workDirectory", Path.GetFullPath(WorkDirectory)).Append(",\"rids\":{");
            json.Append(string.Join(",", BuildTargets.KnownRids.Select(rid =>
            {
                var entry = new StringBuilder();
                CompileManifest.AppendString(entry, rid);
                entry.Append(":[");
                entry.Append(string.Join(",", ModelShipping.Assets(Models, Assets, rid).Select(a =>
                {
                    var asset = new StringBuilder("{");
                    Property(asset, "target", a.GetMetadata("ModelBuildTarget")).Append(',');
                    Property(asset, "packagePath", a.GetMetadata("TargetPath").Replace('\\', '/')).Append(',');
                    return Property(asset, "source", a.GetMetadata("FullPath")).Append('}').ToString();
                })));
                return entry.Append(']').ToString();
            })));
            json.Append("}}");
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
