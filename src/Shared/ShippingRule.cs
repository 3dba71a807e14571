using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelBuild.Shared
{
    /// <summary>Which of a model's variants ship for one runtime identifier, and why.</summary>
    internal sealed class ShippedVariants
    {
        public ShippedVariants(IReadOnlyList<string> targets, bool fallbackAdded, IReadOnlyList<string> serving)
        {
            Targets = targets;
            FallbackAdded = fallbackAdded;
            Serving = serving;
        }

        /// <summary>The targets whose variants ship, in table order; empty: none (MB4021 for a build or publish).</summary>
        public IReadOnlyList<string> Targets { get; }

        /// <summary>The portable cpu variant ships because no CPU variant of the requested targets serves the RID (MB4022).</summary>
        public bool FallbackAdded { get; }

        /// <summary>The requested targets that serve the RID (accelerators included).</summary>
        public IReadOnlyList<string> Serving { get; }
    }

    /// <summary>
    /// The one shipping rule, used when compiling (which variants to build), publishing with a RuntimeIdentifier and
    /// packing (Single and PerRid layouts): a RID gets the variants of the requested targets that serve it; with
    /// Fallback="cpu" (the default) a RID that no CPU variant serves also gets the portable cpu variant, also when
    /// no target serves it at all. Only with Fallback="none" can a RID get nothing (MB4021) or accelerators alone.
    /// </summary>
    internal static class ShippingRule
    {
        /// <summary>
        /// True when the compiler must build the portable cpu variant beside the requested targets: with Fallback="cpu"
        /// every RID must find a CPU variant, and only cpu serves every RID.
        /// </summary>
        public static bool NeedsCpuFallback(IEnumerable<string> targets, bool cpuFallback) =>
            cpuFallback && !targets.Contains(BuildTargets.Portable, StringComparer.OrdinalIgnoreCase);

        /// <summary>What ships for <paramref name="rid"/> of a model compiled for <paramref name="targets"/>.</summary>
        public static ShippedVariants For(IEnumerable<string> targets, bool cpuFallback, string rid)
        {
            List<BuildTarget> requested = targets.Select(BuildTargets.Find).Where(t => t != null).Select(t => t!).ToList();
            var serving = requested.Where(t => t.Serves(rid)).ToList();
            bool fallback = cpuFallback && !serving.Any(t => !t.IsAccelerator);
            var shipped = new HashSet<string>(serving.Select(t => t.Name), StringComparer.Ordinal);
            if (fallback)
            {
                shipped.Add(BuildTargets.Portable);
            }
            return new ShippedVariants(
                BuildTargets.All.Select(t => t.Name).Where(shipped.Contains).ToList(),
                fallback,
                serving.Select(t => t.Name).ToList());
        }
    }
}
