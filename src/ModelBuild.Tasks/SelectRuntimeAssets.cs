using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using ModelBuild.Shared;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// For a build or publish with a RuntimeIdentifier: which model assets serve it, by the shared shipping rule
    /// (<see cref="ShippingRule"/>, the same one compile and pack use). A model that ships nothing for the RID fails the
    /// build (MB4021, only possible with Fallback="none"); the cpu fallback shipping is said with message MB4022.
    /// </summary>
    public sealed class SelectRuntimeAssets : Task
    {
        /// <summary>Resolved models: ClassName, Targets (normalised), Fallback, OriginalItemSpec.</summary>
        [Required] public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>Model asset items carrying ModelBuildClass and ModelBuildTarget metadata.</summary>
        public ITaskItem[] Assets { get; set; } = Array.Empty<ITaskItem>();

        [Required] public string RuntimeIdentifier { get; set; } = "";

        /// <summary>The assets that do not serve <see cref="RuntimeIdentifier"/>, to remove from the output.</summary>
        [Output] public ITaskItem[] ExcludedAssets { get; private set; } = Array.Empty<ITaskItem>();

        public override bool Execute()
        {
            var excluded = new List<ITaskItem>();
            foreach (ITaskItem model in Models)
            {
                string className = model.GetMetadata("ClassName");
                IReadOnlyList<string>? keep = Keep(model, className);
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
        private IReadOnlyList<string>? Keep(ITaskItem model, string className)
        {
            string[] targets = model.GetMetadata("Targets").Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries);
            ShippedVariants shipped = ShippingRule.For(targets, ModelShipping.IsCpuFallback(model), RuntimeIdentifier);
            string file = model.GetMetadata("OriginalItemSpec");
            if (shipped.Targets.Count == 0)
            {
                string servedBy = string.Join("; ", targets.Select(t => $"{t} serves {string.Join(", ", BuildTargets.Find(t)!.Rids)}"));
                string candidates = string.Join(", ", BuildTargets.All.Where(t => t.Serves(RuntimeIdentifier)).Select(t => t.Name));
                Log.LogError(subcategory: null, errorCode: "MB4021", helpKeyword: null, file: file,
                    lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0,
                    message: $"No variant of model '{className}' serves runtime identifier '{RuntimeIdentifier}': Targets=\"{string.Join(";", targets)}\" ({servedBy}) and Fallback=\"none\". " +
                             $"Add a target that serves '{RuntimeIdentifier}' ({candidates}) to the model's Targets, remove Fallback=\"none\", or build for one of the runtime identifiers above.");
                return null;
            }
            if (shipped.FallbackAdded)
            {
                string why = shipped.Serving.Count == 0
                    ? $"none of its targets ({string.Join(", ", targets)}) serves '{RuntimeIdentifier}'"
                    : $"every variant that serves '{RuntimeIdentifier}' needs an accelerator ({string.Join(", ", shipped.Serving)})";
                Log.LogMessage(subcategory: null, code: "MB4022", helpKeyword: null, file: file,
                    lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, importance: MessageImportance.High,
                    message: $"ModelBuild: {className}: {why}; the portable cpu variant ships (Fallback=\"cpu\"; set Fallback=\"none\" to leave it out).");
            }
            else if (shipped.Serving.All(t => BuildTargets.Find(t)!.IsAccelerator))
            {
                Log.LogMessage(MessageImportance.Normal,
                    $"ModelBuild: {className}: only accelerator variants ({string.Join(", ", shipped.Serving)}) serve '{RuntimeIdentifier}' and Fallback=\"none\": no CPU variant ships.");
            }
            return shipped.Targets;
        }
    }
}
