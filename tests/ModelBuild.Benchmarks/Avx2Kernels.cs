using System.Text.Json;
using ModelBuild.CpuKinds;

namespace ModelBuild.Benchmarks;

/// <summary>
/// The same variant files timed again with the kernels ONNX Runtime picks on an x64 CPU without AVX-512, VNNI or AMX:
/// a child benchmark process under CpuKinds/cpuid-mask.c, which hides those features from CPUID. So a machine with
/// VNNI measures both kinds of x64 CPU users have (issue #12: int8 must pay on both). The kernels are AVX2 code; the
/// core running them is still this one (its caches, its clock), which the report says.
/// </summary>
internal static class Avx2Kernels
{
    public sealed record Timing(string Model, string Variant, double MedianMilliseconds, double RatioToBaseline);

    /// <summary>What the child measured, and the CPU features its CPUID showed (checked: none of <see cref="CpuidMask.Hidden"/>).</summary>
    public sealed record Result(string Features, IReadOnlyList<Timing> Timings);

    /// <summary>
    /// Builds the mask in <paramref name="work"/> (the benchmark's folder) and times every variant file there in a child
    /// process under it; or, where the mask cannot run here, why not. A failed measurement throws.
    /// </summary>
    public static (Result? Result, string? WhyNot) MeasureIfAvailable(string work, int rounds)
    {
        var (library, whyNot) = CpuidMask.BuildIfAvailable(work);
        if (library is null) return (null, whyNot);

        string output = Path.Combine(work, "avx2-timings.json");
        File.Delete(output);
        var (exitCode, log) = CpuidMask.Run("dotnet", [typeof(Avx2Kernels).Assembly.Location, "--work", work, .. BenchModels.Small ? ["--small"] : Array.Empty<string>(),
            "--time-only", rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), output], library);
        if (exitCode != 0) throw new InvalidOperationException($"the timing child exited with {exitCode}: {log.Trim()}");
        Result result = JsonSerializer.Deserialize<Result>(File.ReadAllText(output))
            ?? throw new InvalidDataException($"{output}: empty");
        if (CpuidMask.Hidden.FirstOrDefault(result.Features.Split(' ').Contains) is { } seen)
        {
            throw new InvalidOperationException($"The mask did not take: the child still saw {seen} ({result.Features}).");
        }

        return (result, null);
    }

    /// <summary>The child's side: every model's variant files, side by side (<see cref="RoundRobinTimer"/>), to <paramref name="output"/>.</summary>
    public static void TimeVariantFiles(int rounds, string output)
    {
        var timings = new List<Timing>();
        foreach (BenchModel model in BenchModels.All)
        {
            var files = Variants.All.Select(v => (v.Name, Path: BenchModels.PathOf(model, v))).Where(f => File.Exists(f.Path)).ToList();
            if (files.Count == 0 || files[0].Name != Variants.BaselineName) continue;
            timings.AddRange(RoundRobinTimer.Measure(model, files, rounds).Select(t => new Timing(model.Name, t.Variant, t.MedianMilliseconds, t.RatioToBaseline)));
        }

        File.WriteAllText(output, JsonSerializer.Serialize(new Result(ModelBuild.Compiler.Ort.CpuFeatures.Seen(), timings)));
    }
}
