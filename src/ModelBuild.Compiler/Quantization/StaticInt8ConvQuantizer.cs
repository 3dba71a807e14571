using ModelBuild.Compiler.Budgets;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Static int8 for Conv (<see cref="QdqConvRewriter"/>): activation ranges calibrated on the build's sample inputs,
/// weights per output channel. First the float ops ONNX Runtime leaves between Convs are thinned out
/// (<see cref="ConvAffineFolding"/>, <see cref="HardSwishFusion"/>): they cost as much as the int8 Convs save. Then a
/// search, each step a real ONNX Runtime run against the original: MinMax ranges, percentile ranges if MinMax misses
/// the target, then Convs excluded (those whose int8 form alone loses most first) in doubling groups until the
/// outputs' cosine reaches the target, then the fewest exclusions that still reach it (bisection). The result is
/// kept only when it is also faster than the same graph with fp32 Convs on this machine, timed side by side (for the
/// x64 form on a CPU without VNNI or AMX: not slower, <see cref="MaxLatencyRatioWithoutVnni"/>); otherwise every Conv
/// stays fp32 and the reason carries the numbers.
/// </summary>
internal static class StaticInt8ConvQuantizer
{
    /// <summary>Quantized Convs must make the model at least this much faster (side-by-side medians) to be kept.</summary>
    public const double MaxLatencyRatio = 0.95;

    /// <summary>
    /// The bar for the x64 form on an x64 CPU without VNNI or AMX: not slower, within timing noise. CPUs with VNNI or
    /// AMX run the same file's int8 Convs much faster, and build machines (CI runners) often lack them while servers
    /// have them. PP-OCRv4 det, measured with both kinds of kernels on one AVX-512 VNNI machine: int8 Convs 0.58x fp32
    /// with VNNI vs 0.82x with fp32 Convs; with AVX2 kernels 0.95x–0.97x of fp32 Convs, which 0.95 would give back.
    /// </summary>
    public const double MaxLatencyRatioWithoutVnni = 0.98;

    /// <summary>The latency bar for <paramref name="qmax"/>'s form on a CPU with <paramref name="cpuFeatures"/> (<see cref="CpuFeatures.Seen"/>).</summary>
    internal static double LatencyBar(string cpuFeatures, int qmax)
    {
        string[] features = cpuFeatures.Split(' ');
        bool avx2WithoutVnni = features.Contains("avx2") && !features.Any(CpuFeatures.Int8DotProducts.Contains);
        return qmax == 63 && avx2WithoutVnni ? MaxLatencyRatioWithoutVnni : MaxLatencyRatio;
    }

    /// <summary>Timed rounds per model in the speed check; each round runs the baseline and the candidate in turn.</summary>
    public const int TimingRounds = 7;

    /// <summary>Samples for measuring each Conv's own loss, one run per Conv.</summary>
    public const int SensitivitySamples = 1;

    /// <param name="model">The variant (MatMuls already quantized); rewritten in place.</param>
    /// <param name="originalPath">The original model, the reference for accuracy.</param>
    /// <param name="samples">Calibration and accuracy inputs (the verification samples or SampleInputs).</param>
    /// <param name="minCosine">The build's MinCosine; the search aims halfway between it and 1 to leave room for unseen inputs.</param>
    /// <param name="qmax">Weight range: 63 (x64: no u8×s8 saturation on AVX2) or 127.</param>
    /// <param name="work">A folder for the candidate files.</param>
    /// <param name="budget">The item's verification budget (VerifyTimeout, VerifyMemoryLimit): every calibration, search and timing session runs under it.</param>
    public static QuantizationResult Apply(ModelProto model, string originalPath, IReadOnlyList<SampleSet> samples, double minCosine, int qmax, string work,
        VerificationBudget budget)
    {
        int convs = ConvSite.Find(model).Count;
        if (convs == 0) return new QuantizationResult(0, 0, []);
        if (Prepare(model, work, out string? whyNot) is not { } rewrites)
        {
            var kept = new KeptLog();
            for (int i = 0; i < convs; i++) kept.Counted($"Conv: {{n}} {{nodes}} kept fp32 ({whyNot})");
            return kept.Result(0);
        }

        List<ConvSite> sites = ConvSite.Find(model);
        byte[] baseline = OnnxModelWriter.Serialize(model);
        Dictionary<string, ActivationRange> ranges = ConvCalibration.Run(model, sites, samples, Path.Combine(work, "calibration.onnx"), budget);
        var log = new KeptLog();
        var eligible = new List<int>();
        for (int i = 0; i < sites.Count; i++)
        {
            if (ranges.ContainsKey(sites[i].Input) && ranges.ContainsKey(sites[i].OutputPoint)) eligible.Add(i);
            else log.Node($"{sites[i].DisplayName}: kept fp32 (no finite calibration values)");
        }

        double target = 1 - (1 - minCosine) / 2;
        using var probe = new AccuracyProbe(originalPath, samples, budget);
        string candidatePath = Path.Combine(work, "candidate.onnx");
        (double Cosine, byte[] Bytes, QdqLayout.Layout Layout) Try(RangeMethod method, IReadOnlyCollection<int> excluded, AccuracyProbe? on = null)
        {
            ModelProto candidate = ModelProto.Parser.ParseFrom(baseline);
            var layout = QdqConvRewriter.Apply(candidate, eligible.Except(excluded).ToHashSet(), ranges, method, qmax);
            byte[] bytes = OnnxModelWriter.Serialize(candidate);
            File.WriteAllBytes(candidatePath, bytes);
            return ((on ?? probe).MinCosine(candidatePath), bytes, layout);
        }

        RangeMethod method = RangeMethod.MinMax;
        var all = Try(method, []);
        var best = all;
        if (best.Cosine < target)
        {
            var percentile = Try(RangeMethod.Percentile, []);
            if (percentile.Cosine > best.Cosine) (method, best) = (RangeMethod.Percentile, percentile);
        }

        int excludedCount = 0;
        List<int> order = [];
        Dictionary<int, double> alone = [];
        if (best.Cosine < target)
        {
            // Each Conv's own damage: the cosine with only that Conv int8 (on a few samples: it only orders the Convs).
            using var few = new AccuracyProbe(originalPath, [.. samples.Take(SensitivitySamples)], budget);
            alone = eligible.ToDictionary(i => i, i => Try(method, eligible.Where(j => j != i).ToList(), few).Cosine);
            order = ExclusionOrder(eligible, alone);
            int passing = -1, failing = 0;
            for (int count = 1; passing < 0 && failing < order.Count; count *= 2)
            {
                int n = Math.Min(count, order.Count);
                var trial = Try(method, order.Take(n).ToList());
                if (trial.Cosine >= target) (passing, best) = (n, trial);
                else failing = n;
            }

            // The fewest exclusions that pass, between the last failing and the first passing count.
            while (passing > failing + 1)
            {
                int n = (passing + failing) / 2;
                var trial = Try(method, order.Take(n).ToList());
                if (trial.Cosine >= target) (passing, best) = (n, trial);
                else failing = n;
            }

            excludedCount = passing < 0 ? order.Count : passing;
        }

        string methodName = method == RangeMethod.MinMax ? "MinMax" : $"percentile {ActivationRange.Percentile.ToString(CultureInfo.InvariantCulture)}";
        if (best.Cosine < target || best.Layout.Convs.Count == 0)
        {
            for (int i = 0; i < eligible.Count; i++)
            {
                log.Counted($"Conv: {{n}} {{nodes}} kept fp32 (static int8 missed cosine {F(target)} whatever Convs were excluded: {F(all.Cosine)} with all int8{rewrites.Note})");
            }

            return log.Result(0);
        }

        // One note per Conv given back, with its own measured loss: why this one, in numbers.
        var between = new List<string>();
        foreach (int i in order.Take(excludedCount))
        {
            string numbers = $"cosine {F(alone[i])} with only it int8; {F(all.Cosine)} with every Conv int8, {F(best.Cosine)} with the " +
                $"{excludedCount.ToString(CultureInfo.InvariantCulture)} Conv(s) that lose most given back";
            if (best.Layout.Between.Contains(i))
            {
                between.Add($"{sites[i].DisplayName}: int8 though given back ({numbers}): between int8 Convs ONNX Runtime would quantize it on load, per tensor, so it is written per channel");
            }
            else
            {
                log.Node($"{sites[i].DisplayName}: kept fp32 for accuracy ({numbers})");
            }
        }

        foreach (int i in eligible.Where(i => !best.Layout.Convs.Contains(i) && !order.Take(excludedCount).Contains(i)))
        {
            log.Node($"{sites[i].DisplayName}: kept fp32 (the ConvTranspose or Gemm before it has no int8 form here, and ONNX Runtime would quantize it on load between int8 tensors)");
        }

        File.WriteAllBytes(candidatePath, best.Bytes);
        string baselinePath = Path.Combine(work, "baseline.onnx");
        File.WriteAllBytes(baselinePath, baseline);
        var (baselineMs, candidateMs, ratio) = SideBySide(baselinePath, candidatePath, samples[0], budget);
        int quantized = best.Layout.Convs.Count;
        string features = CpuFeatures.Seen();
        double bar = LatencyBar(features, qmax);
        if (!(ratio <= bar))
        {
            var slow = new KeptLog();
            for (int i = 0; i < sites.Count; i++) slow.Counted(
                $"Conv: {{n}} {{nodes}} kept fp32 (static int8 not faster on this machine ({features}): {ratio.ToString("0.00", CultureInfo.InvariantCulture)}x, " +
                $"{Ms(candidateMs)} vs {Ms(baselineMs)} with fp32 Convs, cosine {F(best.Cosine)}{rewrites.Note})");
            return new QuantizationResult(0, slow.Kept, slow.Result(0).KeptReasons);
        }

        model.ReplaceWith(ModelProto.Parser.ParseFrom(best.Bytes));
        var result = log.Result(quantized);
        return result with
        {
            KeptReasons = [$"Conv: {quantized.ToString(CultureInfo.InvariantCulture)} of {sites.Count.ToString(CultureInfo.InvariantCulture)} int8 (static QDQ, {methodName} ranges from {samples.Count.ToString(CultureInfo.InvariantCulture)} samples, " +
                $"per-channel weights: cosine {F(best.Cosine)}, {ratio.ToString("0.00", CultureInfo.InvariantCulture)}x latency of fp32 Convs, {Ms(candidateMs)} vs {Ms(baselineMs)}" +
                (ratio <= MaxLatencyRatio ? "" : $" on a CPU without VNNI or AMX ({features}), where the bar is not slower ({bar.ToString("0.00", CultureInfo.InvariantCulture)}x): CPUs with them run int8 Convs faster") +
                $"{rewrites.Note})", .. between, .. result.KeptReasons],
        };
    }

    /// <summary>
    /// The graph the search quantizes, in place: the opset raised to 10 where needed (null, with why, when it cannot be),
    /// then BatchNormalization, Mul and Add after a Conv folded into its weights at ONNX Runtime's basic level (a
    /// dequantized weight would block those fusions) and the float ops between Convs thinned out.
    /// </summary>
    internal static ConvFloatRewrites? Prepare(ModelProto model, string work, out string? whyNot) =>
        OpsetAllowsQLinearConv(model, out whyNot) ? ConvFloatRewrites.Apply(model, work) : null;

    /// <summary>
    /// ONNX Runtime fuses QDQ Convs into QLinearConv, an opset-10 operator. An opset-9 model is raised to 10 when none of
    /// its operators changed meaning there (TopK and Upsample did; Slice's attributes become its opset-10 inputs);
    /// otherwise its Convs stay fp32.
    /// </summary>
    private static bool OpsetAllowsQLinearConv(ModelProto model, out string? whyNot)
    {
        whyNot = null;
        long opset = OpsetImports.Default(model);
        if (opset >= 10) return true;
        string[] changed = ["TopK", "Upsample"];
        var found = AllNodes(model.Graph).Where(n => GraphScope.IsDefaultDomain(n) && changed.Contains(n.OpType)).Select(n => n.OpType)
            .Concat(model.Graph.Node.SelectMany(GraphScope.Subgraphs).SelectMany(AllNodes).Where(n => n.OpType == "Slice").Select(n => "Slice in a subgraph"))
            .Distinct().ToList();
        if (found.Count > 0)
        {
            whyNot = $"opset {opset.ToString(CultureInfo.InvariantCulture)}: static int8 needs opset 10 (QLinearConv), and {string.Join(", ", found)} changed meaning there";
            return false;
        }

        var names = new NameTable(model);
        foreach (NodeProto slice in model.Graph.Node.Where(n => n.OpType == "Slice" && GraphScope.IsDefaultDomain(n) && n.Input.Count == 1).ToList())
        {
            foreach (string attribute in new[] { "starts", "ends", "axes" })
            {
                if (slice.Attribute.FirstOrDefault(a => a.Name == attribute) is not { } values) continue;
                string name = names.Unique($"{slice.Output[0]}_{attribute}");
                var constant = new NodeProto { OpType = "Constant", Name = names.Unique($"{name}_Constant") };
                constant.Output.Add(name);
                var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
                tensor.Dims.Add(values.Ints.Count);
                tensor.Int64Data.Add(values.Ints);
                constant.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = tensor });
                model.Graph.Node.Insert(model.Graph.Node.IndexOf(slice), constant);
                slice.Input.Add(name);
                slice.Attribute.Remove(values);
            }
        }

        model.OpsetImport.First(o => o.Domain is "" or "ai.onnx").Version = 10;
        return true;
    }

    private static IEnumerable<NodeProto> AllNodes(GraphProto graph) =>
        graph.Node.SelectMany(n => new[] { n }.Concat(GraphScope.Subgraphs(n).SelectMany(AllNodes)));

    private static string F(double cosine) => cosine.ToString("0.00000", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>
    /// Which Convs to give up first: those whose int8 form alone loses most. Not the first and last by position: on
    /// PP-OCRv4 det they lose least (0.99950 and 0.99984 alone) and giving them up first kept 3 Convs fp32 at 0.70x
    /// instead of 2 at 0.64x.
    /// </summary>
    private static List<int> ExclusionOrder(List<int> eligible, Dictionary<int, double> cosineAlone)
    {
        return [.. eligible.OrderBy(i => cosineAlone[i]).ThenBy(i => i)];
    }

    /// <summary>Median latency of both models on one sample and their ratio, timed in turns so load from elsewhere falls on both alike.</summary>
    private static (double Baseline, double Candidate, double Ratio) SideBySide(string baselinePath, string candidatePath, SampleSet sample, VerificationBudget budget)
    {
        using var baseline = new VerificationSession(baselinePath, budget);
        using var candidate = new VerificationSession(candidatePath, budget);
        var inputs = sample.Inputs.Where(t => baseline.InputNames.Contains(t.Name)).ToList();
        List<OrtValue> values = [.. inputs.Select(t => t.ToOrtValue())];
        try
        {
            string[] names = [.. inputs.Select(t => t.Name)];
            var b = new double[TimingRounds];
            var c = new double[TimingRounds];
            for (int round = 0; round < TimingRounds; round++)
            {
                b[round] = baseline.MedianMilliseconds(names, values, baseline.OutputNames, 3);
                c[round] = candidate.MedianMilliseconds(names, values, candidate.OutputNames, 3);
            }

            // The ratio is the median of each round's own ratio: load from other builds drifts between rounds, and a
            // round's two timings share it.
            double[] ratios = [.. b.Zip(c, (baseline, candidate) => candidate / baseline).Order()];
            Array.Sort(b);
            Array.Sort(c);
            return (b[TimingRounds / 2], c[TimingRounds / 2], ratios[TimingRounds / 2]);
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }
}
