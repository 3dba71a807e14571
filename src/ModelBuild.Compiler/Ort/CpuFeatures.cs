using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ModelBuild.Compiler.Ort;

/// <summary>
/// The CPU features ONNX Runtime's kernel choice depends on, as CPUID answers this process (what its dispatch sees),
/// named as /proc/cpuinfo names them: int8 kernels differ with VNNI (u8×s8 dot products summed in 32 bits) and AMX,
/// float ones with AVX-512. Every latency the compiler measures is of this CPU, so the report names it.
/// </summary>
internal static class CpuFeatures
{
    /// <summary>Features with int8 dot products summed in 32 bits (without them, AVX2 sums u8×s8 pairs in 16 bits).</summary>
    public static readonly string[] Int8DotProducts = ["avx512_vnni", "avx_vnni", "amx_int8"];

    public static string Seen()
    {
        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            return string.Join(" ", new[] { ("asimd", AdvSimd.IsSupported), ("asimddp", Dp.IsSupported) }.Where(f => f.Item2).Select(f => f.Item1));
        }

        if (!X86Base.IsSupported) return "";
        var (_, _, ecx1, _) = X86Base.CpuId(1, 0);
        var (_, ebx7, ecx7, edx7) = X86Base.CpuId(7, 0);
        var (eax71, _, _, _) = X86Base.CpuId(7, 1);
        (string Name, bool Present)[] features =
        [
            ("avx2", Bit(ebx7, 5)), ("fma", Bit(ecx1, 12)), ("f16c", Bit(ecx1, 29)), ("avx512f", Bit(ebx7, 16)), ("avx512_vnni", Bit(ecx7, 11)),
            ("avx_vnni", Bit(eax71, 4)), ("avx512_bf16", Bit(eax71, 5)), ("amx_int8", Bit(edx7, 25)),
        ];
        return string.Join(" ", features.Where(f => f.Present).Select(f => f.Name));
    }

    private static bool Bit(int register, int bit) => (register & (1 << bit)) != 0;
}
