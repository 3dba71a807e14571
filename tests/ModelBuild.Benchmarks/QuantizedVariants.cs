namespace ModelBuild.Benchmarks;

/// <summary>
/// The compiler's quantizers as benchmark variants. Empty until the quantizers (branch `quant`,
/// namespace ModelBuild.Compiler.Quantization) are merged; then one entry per quantizer.
/// </summary>
internal static class QuantizedVariants
{
    public static IReadOnlyList<Variant> All { get; } = [];
}
