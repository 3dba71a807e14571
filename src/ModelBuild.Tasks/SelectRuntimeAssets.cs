using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// For a build or publish with a RuntimeIdentifier: which model assets serve it. A model keeps the variants of
    /// the targets whose RIDs (ModelBuildTargetRid items) include it; when all of those need an accelerator, its
    /// portable cpu variant ships too unless Fallback="none". A model that no target serves fails the build (MB4021).
    /// </summary>
    public sealed class SelectRuntimeAssets : Task
    {
        private const string PortableTarget = "cpu";

        /// <summary>Resolved models: ClassName, Targets (normalised), Fallback, OriginalItemSpec.</summary>
        [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>Model asset items carrying ModelBuildClass and ModelBuildTarget metadata.</summary>
        public ITaskItem[] Assets { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>One per target: Rids (';'-separated, "any" for all) and Accelerator ("true").</summary>
        [Required] public ITaskItem[] TargetRids { get; set; } = Array.Empty<ITaskItem>();

        [Required] public string RuntimeIdentifier { get; set; } = "";

        /// <summary>The assets that do not serve <see cref="RuntimeIdentifier"/>, to remove from the output.</summary>
        [Output] public ITaskItem[] ExcludedAssets { get; private set; } = Array.Empty<ITaskItem>();

        public override bool Execute()
        {
            var excluded = new List<ITaskItem>();
            foreach (ITaskItem model in Models)
            {
                string className = model.GetMetadata("ClassName");
                HashSet<string>? keep = Keep(model, className);
                if (keep == null)
                {
                    continue;
                }
                excluded.AddRange(Assets.Where(a => string.Equals(a.GetMetadata("ModelBuildClass"), className, StringComparison.Ordinal)
                                                    && !keep.Contains(a.GetMetadata("ModelBuildTarget"))));
            }
            ExcludedAssets = excluded.ToArray();
            return !Log.HasLoggedErrors;
        }

        /// <summary>The targets whose assets ship for this model; null after logging MB4021.</summary>
        private HashSet<string>? Keep(ITaskItem model, string className)
        {
            string[] targets = Split(model.GetMetadata("Targets"));
            var serving = new HashSet<string>(targets.Where(Serves), StringComparer.Ordinal);
            if (serving.Count == 0)
            {
                string servedBy = string.Join("; ", targets.Select(t => $"{t} serves {string.Join(", ", Rids(t))}"));
                string candidates = string.Join(", ", TargetRids.Select(t => t.ItemSpec).Where(Serves));
                Log.LogError(subcategory: null, errorCode: "MB4021", helpKeyword: null, file: model.GetMetadata("OriginalItemSpec"),
                    lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0,
                    message: $"No variant of model '{className}' serves runtime identifier '{RuntimeIdentifier}': Targets=\"{string.Join(";", targets)}\" ({servedBy}). " +
                             $"Add a target that serves '{RuntimeIdentifier}' ({candidates}) to the model's Targets, or build for one of the runtime identifiers above.");
                return null;
            }

            if (serving.All(IsAccelerator))
            {
                if (string.Equals(model.GetMetadata("Fallback"), "none", StringComparison.OrdinalIgnoreCase))
                {
                    Log.LogMessage(MessageImportance.Normal,
                        $"ModelBuild: {className}: only accelerator variants ({string.Join(", ", serving)}) serve '{RuntimeIdentifier}' and Fallback=\"none\": no CPU variant ships.");
                }
                else
                {
                    serving.Add(PortableTarget);
                    Log.LogMessage(subcategory: null, code: "MB4022", helpKeyword: null, file: model.GetMetadata("OriginalItemSpec"),
                        lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, importance: MessageImportance.High,
                        message: $"ModelBuild: {className}: every variant that serves '{RuntimeIdentifier}' needs an accelerator ({string.Join(", ", serving.Where(IsAccelerator))}); " +
                                 "the portable cpu variant ships too as a fallback for machines without one (Fallback=\"cpu\"; set Fallback=\"none\" to leave it out).");
                }
            }
            return serving;
        }

        private bool Serves(string target)
        {
            string[] rids = Rids(target);
            return rids.Contains("any", StringComparer.OrdinalIgnoreCase) || rids.Contains(RuntimeIdentifier, StringComparer.OrdinalIgnoreCase);
        }

        private string[] Rids(string target) => Split(Find(target)?.GetMetadata("Rids") ?? "");

        private bool IsAccelerator(string target) =>
            string.Equals(Find(target)?.GetMetadata("Accelerator"), "true", StringComparison.OrdinalIgnoreCase);

        private ITaskItem? Find(string target) =>
            TargetRids.FirstOrDefault(t => string.Equals(t.ItemSpec, target, StringComparison.OrdinalIgnoreCase));

        private static string[] Split(string text) =>
            text.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
    }
}
