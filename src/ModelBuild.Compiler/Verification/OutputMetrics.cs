namespace ModelBuild.Compiler.Verification;

/// <summary>
/// How far a variant's output is from the original's over all sample sets (semantics in
/// <see cref="OutputComparer"/> and docs/verification.md).
/// </summary>
/// <param name="Output">The output's name (model text: quote it before printing).</param>
/// <param name="Cosine">The lowest per-sample cosine similarity; 1 = same direction. Exact outputs: 1 all equal, else 0.</param>
/// <param name="MaxAbsError">The largest element-wise absolute difference over all samples; +∞ when layouts or NaN/∞ positions differ.</param>
/// <param name="Top1Agreement">For class-score-like outputs, the fraction of rows whose arg-max agrees; else null.</param>
/// <param name="ExactMatch">For exact (integer, bool, string) outputs, the fraction of equal elements; else null.</param>
internal sealed record OutputMetrics(string Output, double Cosine, double MaxAbsError, double? Top1Agreement, double? ExactMatch = null);

/// <summary>Metrics of every output (in the original's output order) and the variant's median latency.</summary>
internal sealed record VerificationResult(IReadOnlyList<OutputMetrics> Outputs, double MedianMilliseconds);
