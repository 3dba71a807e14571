namespace ModelBuild.Benchmarks;

/// <summary>Cosine similarity of each variant's output to fp32's over several inputs (the report shows the worst).</summary>
internal static class AccuracyCheck
{
    public const int Inputs = 4;

    /// <returns>(model, variant) → lowest cosine over <see cref="Inputs"/> inputs.</returns>
    public static Dictionary<(string Model, string Variant), double> Run(IEnumerable<BenchModel> models, IReadOnlyList<Variant> variants)
    {
        var worst = new Dictionary<(string, string), double>();
        foreach (BenchModel model in models)
        {
            var reference = new List<float[]>();
            using (var session = OrtSessions.Create(BenchModels.PathOf(model, Variants.BaselineName)))
            {
                for (int i = 0; i < Inputs; i++)
                {
                    using var input = model.CreateInput(i);
                    reference.Add(OrtSessions.RunToArray(session, model, input));
                }
            }

            foreach (Variant variant in variants)
            {
                using var session = OrtSessions.Create(BenchModels.PathOf(model, variant));
                double min = 1;
                for (int i = 0; i < Inputs; i++)
                {
                    using var input = model.CreateInput(i);
                    min = Math.Min(min, Similarity.Cosine(reference[i], OrtSessions.RunToArray(session, model, input)));
                }

                worst[(model.Name, variant.Name)] = min;
            }
        }

        return worst;
    }
}
