using System.Globalization;
using System.Text;

namespace ModelBuild.Benchmarks;

/// <summary>Every variant of every model timed side by side (<see cref="RoundRobinTimer"/>), as a markdown table.</summary>
internal static class SideBySide
{
    public static string Render(MachineInfo machine, IReadOnlyList<BenchModel> models, IReadOnlyList<Variant> variants,
        IReadOnlyDictionary<(string Model, string Variant), string> rewrites, int rounds)
    {
        var cosines = AccuracyCheck.Run(models, variants);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"CPU: {machine.Cpu}, {machine.LogicalCores} logical cores, ISA: {machine.CpuFeatures}; ONNX Runtime {machine.OnnxRuntime}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Round-robin: {rounds} rounds, each variant once per round; 1 intra-op thread, spinning off. Ratio: median of per-round ratios to fp32.");
        text.AppendLine();
        text.AppendLine("| model | variant | latency (ms) | vs fp32 | size vs fp32 | cosine vs fp32 | ISA | rewritten |");
        text.AppendLine("|---|---|--:|--:|--:|--:|---|---|");
        foreach (BenchModel model in models)
        {
            var paths = variants.Select(v => (v.Name, BenchModels.PathOf(model, v))).ToList();
            double baseSize = new FileInfo(paths[0].Item2).Length;
            foreach (var t in RoundRobinTimer.Measure(model, paths, rounds))
            {
                double size = new FileInfo(BenchModels.PathOf(model, t.Variant)).Length / baseSize;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {model.Name} | {t.Variant} | {t.MedianMilliseconds:F1} | {t.RatioToBaseline:F2}x | {size:F3}x | {cosines[(model.Name, t.Variant)]:F6} | {machine.CpuFeatures} | {rewrites[(model.Name, t.Variant)]} |");
            }
        }

        return text.ToString();
    }

    /// <summary>The same files timed with AVX2 kernels (<see cref="Avx2Kernels"/>).</summary>
    public static string RenderAvx2(Avx2Kernels.Result avx2)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"The same files with AVX2 kernels: AVX-512, VNNI and AMX hidden from CPUID (tests/ModelBuild.Benchmarks/CpuKinds/cpuid-mask.c); ISA seen: {avx2.Features}.");
        text.AppendLine();
        text.AppendLine("| model | variant | latency (ms) | vs fp32 | ISA |");
        text.AppendLine("|---|---|--:|--:|---|");
        foreach (Avx2Kernels.Timing t in avx2.Timings)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {t.Model} | {t.Variant} | {t.MedianMilliseconds:F1} | {t.RatioToBaseline:F2}x | {avx2.Features} |");
        }

        return text.ToString();
    }
}
