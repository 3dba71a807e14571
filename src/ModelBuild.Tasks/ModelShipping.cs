using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Build.Framework;
using ModelBuild.Shared;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// The shared shipping rule (<see cref="ShippingRule"/>) applied to resolved models and their asset items, for the
    /// pack tasks: which assets ship for a RID, so a PerRid model package holds what <c>publish -r</c> ships.
    /// </summary>
    internal static class ModelShipping
    {
        /// <summary>The targets of <paramref name="model"/> (a resolved model item) that ship for <paramref name="rid"/>.</summary>
        public static IReadOnlyList<string> Targets(ITaskItem model, string rid) =>
            ShippingRule.For(RequestedTargets(model), IsCpuFallback(model), rid).Targets;

        /// <summary>The assets that ship for <paramref name="rid"/>: each model's assets of the targets the rule ships.</summary>
        public static IEnumerable<ITaskItem> Assets(IEnumerable<ITaskItem> models, IEnumerable<ITaskItem> assets, string rid)
        {
            Dictionary<string, IReadOnlyList<string>> shipped = models.ToDictionary(m => m.GetMetadata("ClassName"), m => Targets(m, rid), StringComparer.Ordinal);
            return assets.Where(a => shipped.TryGetValue(a.GetMetadata("ModelBuildClass"), out IReadOnlyList<string>? targets)
                                     && targets.Contains(a.GetMetadata("ModelBuildTarget")));
        }

        private static string[] RequestedTargets(ITaskItem model) =>
            model.GetMetadata("Targets").Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries);

        /// <summary>Fallback="cpu", the default (ResolveModels normalised the metadata).</summary>
        public static bool IsCpuFallback(ITaskItem model) => !string.Equals(model.GetMetadata("Fallback"), "none", StringComparison.OrdinalIgnoreCase);
    }
}
