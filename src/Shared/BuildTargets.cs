using System;
using System.Collections.Generic;

namespace ModelBuild.Shared
{
    /// <summary>One compilation target: what the compiler builds a variant for and where that variant ships.</summary>
    internal sealed class BuildTarget
    {
        public BuildTarget(string name, string[] rids, bool accelerator, string executionProvider, string? architecture, bool mobile)
        {
            Name = name;
            Rids = rids;
            IsAccelerator = accelerator;
            ExecutionProvider = executionProvider;
            Architecture = architecture;
            IsMobile = mobile;
        }

        /// <summary>The name in <c>Targets</c>, in the output folders and in <c>ModelVariant.Target</c>.</summary>
        public string Name { get; }

        /// <summary>The runtime identifiers the variant serves; <see cref="BuildTargets.AnyRid"/> serves every one.</summary>
        public IReadOnlyList<string> Rids { get; }

        /// <summary>Needs hardware beyond the CPU, which a machine of its RIDs may lack.</summary>
        public bool IsAccelerator { get; }

        /// <summary>The ONNX Runtime execution provider the variant is made for: <c>cpu</c> or <c>cuda</c>.</summary>
        public string ExecutionProvider { get; }

        /// <summary>The process architecture the variant is tuned for (<c>x64</c>, <c>arm64</c>); null: portable.</summary>
        public string? Architecture { get; }

        /// <summary>For Android and iOS: ORT format, chosen only on those systems.</summary>
        public bool IsMobile { get; }

        /// <summary>True when the variant serves <paramref name="rid"/>.</summary>
        public bool Serves(string rid)
        {
            foreach (string served in Rids)
            {
                if (served == BuildTargets.AnyRid || string.Equals(served, rid, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>
    /// The target table: every compilation target, in canonical order (the order of reports, output folders and
    /// variants). The compiler, the MSBuild tasks, the SDK's props (ModelBuildTargetRid, tested against this table)
    /// and the runtime's variant selection all read it. Adding a target is one line here (plus how to compile for it).
    /// </summary>
    internal static class BuildTargets
    {
        /// <summary>The RID wildcard: a target with it serves every runtime identifier.</summary>
        public const string AnyRid = "any";

        /// <summary>The portable CPU target: serves every RID, and is the fallback variant (Fallback="cpu").</summary>
        public const string Portable = "cpu";

        public const string CpuProvider = "cpu";

        public const string CudaProvider = "cuda";

        public static readonly IReadOnlyList<BuildTarget> All = new[]
        {
            //              name      RIDs served                                          accelerator provider     architecture mobile
            new BuildTarget("cpu",    new[] { AnyRid },                                    false,      CpuProvider, null,        false),
            new BuildTarget("x64",    new[] { "linux-x64", "win-x64", "osx-x64" },         false,      CpuProvider, "x64",       false),
            new BuildTarget("arm64",  new[] { "linux-arm64", "win-arm64", "osx-arm64" },   false,      CpuProvider, "arm64",     false),
            new BuildTarget("cuda",   new[] { "linux-x64", "win-x64" },                    true,       CudaProvider, "x64",      false),
            new BuildTarget("mobile", new[] { "android-arm64", "ios-arm64" },              false,      CpuProvider, "arm64",     true),
        };

        /// <summary>The target named <paramref name="name"/> (any case), or null.</summary>
        public static BuildTarget? Find(string name)
        {
            foreach (BuildTarget target in All)
            {
                if (string.Equals(target.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    return target;
                }
            }
            return null;
        }

        /// <summary>Every runtime identifier some target names, in table order.</summary>
        public static IReadOnlyList<string> KnownRids
        {
            get
            {
                var rids = new List<string>();
                foreach (BuildTarget target in All)
                {
                    foreach (string rid in target.Rids)
                    {
                        if (rid != AnyRid && !rids.Contains(rid))
                        {
                            rids.Add(rid);
                        }
                    }
                }
                return rids;
            }
        }
    }
}
