namespace ModelBuild.Compiler.Variants;

/// <summary>What a variant is compiled for; the declaration order is the canonical order of reports and folders.</summary>
internal enum Target { Cpu, X64, Arm64, Cuda, Mobile }

internal static class TargetNames
{
    public static string Name(this Target target) => target.ToString().ToLowerInvariant();

    /// <summary>Needs hardware beyond the CPU; the SDK's ModelBuildTargetRid items mark the same targets Accelerator="true".</summary>
    public static bool IsAccelerator(this Target target) => target == Target.Cuda;

    public static string Name(this QuantizeMode mode) => mode.ToString().ToLowerInvariant();
}
