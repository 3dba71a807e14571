using ModelBuild.Shared;

namespace ModelBuild.Compiler.Variants;

/// <summary>
/// What a variant is compiled for: the shared target table's names (<see cref="BuildTargets"/>, same order), as an
/// enum for the planner's per-target decisions. A test keeps the two equal.
/// </summary>
internal enum Target { Cpu, X64, Arm64, Cuda, Mobile }

internal static class TargetNames
{
    public static string Name(this Target target) => target.ToString().ToLowerInvariant();

    /// <summary>The target's row in the shared table: RIDs served, accelerator, execution provider.</summary>
    public static BuildTarget Info(this Target target) => BuildTargets.Find(target.Name())!;

    public static bool IsAccelerator(this Target target) => target.Info().IsAccelerator;

    public static string Name(this QuantizeMode mode) => mode.ToString().ToLowerInvariant();
}
