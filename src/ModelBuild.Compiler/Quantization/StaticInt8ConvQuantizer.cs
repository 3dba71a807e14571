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
/// kept only when it is also faster than the same graph with fp32 Convs on this machine, timed side by side; otherwise
/// every Conv stays fp32 and the reason carries the numbers.
/// </summary>
internal static class StaticInt8ConvQuantizer
{
    /// <summary>Quantized Convs must make the model at least this much faster (side-by-side medians) to be kept.</summary>
    public const double MaxLatencyRatio = 0.95;

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
        if (!OpsetAllowsQLinearConv(model, out string? whyNot))
        {
            var kept = new KeptLog();
            for (int i = 0; i < convs; i++) kept.Counted($"Conv: {{n}} {{nodes}} kept fp32 ({whyNot})");
            return kept.Result(0);
        }

        // BatchNormalization, Mul and Add after a Conv fold into its weights at ONNX Runtime's basic level; a
        // dequantized weight would block those fusions, so they are done first.
        Directory.CreateDirectory(work);
        ReplaceWith(model, OrtGraphOptimizer.Optimize(OnnxModelWriter.Serialize(model), work, OptimizationLevel.Basic));
        int folded = ConvAffineFolding.Apply(model), hardSwishes = HardSwishFusion.Apply(model);
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
        // The second form only when some op between the Convs can join them: otherwise it is the same graph.
        var plan = QdqNeighbourOps.Find(model, [.. eligible.Select(i => sites[i])]);
        Form convsOnly = Search(neighbours: false);
        Form? withNeighbours = plan.Tensors.Count + plan.Constants.Count > 0 ? Search(neighbours: true) : null;
        string methodName(Form f) => f.Method == RangeMethod.MinMax ? "MinMax" : $"percentile {ActivationRange.Percentile.ToString(CultureInfo.InvariantCulture)}";
        Form[] passing = [.. new[] { convsOnly, withNeighbours }.OfType<Form>().Where(f => f.Best.Cosine >= target && f.Excluded < eligible.Count)];
        if (passing.Length == 0)
        {
            for (int i = 0; i < eligible.Count; i++)
            {
                log.Counted($"Conv: {{n}} {{nodes}} kept fp32 (static int8 missed cosine {F(target)} whatever Convs were excluded: {F(convsOnly.AllCosine)} with all int8{Simplified(folded, hardSwishes)})");
            }

            return log.Result(0);
        }

        // Both forms timed side by side with the fp32 Convs: the faster one that reaches the target is kept.
        string baselinePath = Path.Combine(work, "baseline.onnx");
        File.WriteAllBytes(baselinePath, baseline);
        string[] paths = [.. passing.Select((f, i) => Path.Combine(work, $"candidate{i.ToString(CultureInfo.InvariantCulture)}.onnx"))];
        for (int i = 0; i < passing.Length; i++) File.WriteAllBytes(paths[i], passing[i].Best.Bytes);
        var (baselineMs, candidateMs, ratios) = SideBySide(baselinePath, paths, samples[0], budget);
        int fastest = Array.IndexOf(ratios, ratios.Min());
        Form best = passing[fastest];
        double ratio = ratios[fastest];
        if (!(ratio <= MaxLatencyRatio))
        {
            var slow = new KeptLog();
            for (int i = 0; i < sites.Count; i++) slow.Counted(
                $"Conv: {{n}} {{nodes}} kept fp32 (static int8 not faster on this machine: {ratio.ToString("0.00", CultureInfo.InvariantCulture)}x, " +
                $"{Ms(candidateMs[fastest])} vs {Ms(baselineMs)} with fp32 Convs, cosine {F(best.Best.Cosine)}{Simplified(folded, hardSwishes)})");
            return new QuantizationResult(0, slow.Kept, slow.Result(0).KeptReasons);
        }

        // One note per Conv given back, with its own measured loss: why this one, in numbers.
        foreach (int i in best.Order.Take(best.Excluded))
        {
            log.Node($"{sites[i].DisplayName}: kept fp32 for accuracy (cosine {F(best.Alone[i])} with only it int8; " +
                $"{F(best.AllCosine)} with every Conv int8, {F(best.Best.Cosine)} with the {best.Excluded.ToString(CultureInfo.InvariantCulture)} Conv(s) that lose most kept fp32)");
        }

        ReplaceWith(model, best.Best.Bytes);
        int quantized = eligible.Count - best.Excluded;
        var result = log.Result(quantized);
        Form? rival = best == convsOnly ? withNeighbours : convsOnly;
        string other = rival is null ? "" : passing.Length == 2
            ? $"; {(best == convsOnly ? "with" : "without")} the ops between Convs in int8 {ratios[1 - fastest].ToString("0.00", CultureInfo.InvariantCulture)}x"
            : $"; {(best == convsOnly ? "with" : "without")} the ops between Convs in int8 cosine {F(rival.Best.Cosine)}";
        return result with
        {
            KeptReasons = [$"Conv: {quantized.ToString(CultureInfo.InvariantCulture)} of {sites.Count.ToString(CultureInfo.InvariantCulture)} int8 (static QDQ{(best == withNeighbours ? ", with the ops between them" : "")}, {methodName(best)} ranges from {samples.Count.ToString(CultureInfo.InvariantCulture)} samples, " +
                $"per-channel weights: cosine {F(best.Best.Cosine)}, {ratio.ToString("0.00", CultureInfo.InvariantCulture)}x latency of fp32 Convs, {Ms(candidateMs[fastest])} vs {Ms(baselineMs)}{other}{Simplified(folded, hardSwishes)})", .. result.KeptReasons],
        };

        // The accuracy search for one form: Convs only, or also the ops between them (QdqNeighbourOps).
        Form Search(bool neighbours)
        {
            string candidatePath = Path.Combine(work, "candidate.onnx");
            (double Cosine, byte[] Bytes) Try(RangeMethod method, IReadOnlyCollection<int> excluded, AccuracyProbe? on = null)
            {
                ModelProto candidate = ModelProto.Parser.ParseFrom(baseline);
                QdqConvRewriter.Apply(candidate, eligible.Except(excluded).ToHashSet(), ranges, method, qmax, neighbours);
                byte[] bytes = OnnxModelWriter.Serialize(candidate);
                File.WriteAllBytes(candidatePath, bytes);
                return ((on ?? probe).MinCosine(candidatePath), bytes);
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

            return new Form(method, best, all.Cosine, excludedCount, order, alone);
        }
    }

    /// <summary>One form's search result: its range method, best candidate, cosine with every Conv int8, and the Convs given back (in order, with their own losses).</summary>
    private sealed record Form(RangeMethod Method, (double Cosine, byte[] Bytes) Best, double AllCosine, int Excluded, List<int> Order, Dictionary<int, double> Alone);

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

    /// <summary>What the float rewrites did; they stay in the variant whatever becomes of the Convs.</summary>
    private static string Simplified(int folded, int hardSwishes) => folded + hardSwishes == 0 ? "" :
        $"; {folded.ToString(CultureInfo.InvariantCulture)} Mul/Add folded into Convs, {hardSwishes.ToString(CultureInfo.InvariantCulture)} hard-swishes as HardSigmoid · x";

    private static string F(double cosine) => cosine.ToString("0.00000", CultureInfo.InvariantCulture);

    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static void ReplaceWith(ModelProto model, byte[] bytes)
    {
        ModelProto parsed = ModelProto.Parser.ParseFrom(bytes);
        model.Graph = parsed.Graph;
        model.IrVersion = parsed.IrVersion;
        model.OpsetImport.Clear();
        model.OpsetImport.Add(parsed.OpsetImport);
    }

    /// <summary>
    /// Which Convs to give up first: those whose int8 form alone loses most. Not the first and last by position: on
    /// PP-OCRv4 det they lose least (0.99950 and 0.99984 alone) and giving them up first kept 3 Convs fp32 at 0.70x
    /// instead of 2 at 0.64x.
    /// </summary>
    private static List<int> ExclusionOrder(List<int> eligible, Dictionary<int, double> cosineAlone)
    {
        return [.. eligible.OrderBy(i => cosineAlone[i]).ThenBy(i => i)];
    }

    /// <summary>
    /// Median latency of the baseline and each candidate on one sample and each candidate's ratio to the baseline, timed
    /// in turns so load from elsewhere falls on all alike.
    /// </summary>
    private static (double Baseline, double[] Candidates, double[] Ratios) SideBySide(string baselinePath, string[] candidatePaths, SampleSet sample, VerificationBudget budget)
    {
        var sessions = new List<VerificationSession>();
        List<OrtValue> values = [];
        try
        {
            sessions.Add(new VerificationSession(baselinePath, budget));
            foreach (string path in candidatePaths) sessions.Add(new VerificationSession(path, budget));
            var inputs = sample.Inputs.Where(t => sessions[0].InputNames.Contains(t.Name)).ToList();
            values.AddRange(inputs.Select(t => t.ToOrtValue()));
            string[] names = [.. inputs.Select(t => t.Name)];
            var times = sessions.Select(_ => new double[TimingRounds]).ToArray();
            for (int round = 0; round < TimingRounds; round++)
            {
                for (int s = 0; s < sessions.Count; s++) times[s][round] = sessions[s].MedianMilliseconds(names, values, sessions[s].OutputNames, 3);
            }

            // A ratio is the median of each round's own ratio: load from other builds drifts between rounds, and a
            // round's timings share it.
            double Median(IEnumerable<double> x) => x.Order().ElementAt(TimingRounds / 2);
            double[] candidates = [.. times.Skip(1).Select(Median)];
            double[] ratios = [.. times.Skip(1).Select(c => Median(c.Zip(times[0], (candidate, baseline) => candidate / baseline)))];
            return (Median(times[0]), candidates, ratios);
        }
        finally
        {
            values.ForEach(v => v.Dispose());
            sessions.ForEach(s => s.Dispose());
        }
    }
}
