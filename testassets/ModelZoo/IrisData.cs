using System.Globalization;

namespace ModelZoo;

/// <summary>Fisher's Iris measurements (1936, public domain), shipped as data/iris.csv.</summary>
/// <param name="Features">150 rows of sepal length, sepal width, petal length, petal width (cm).</param>
/// <param name="Labels">Class index per row, into <paramref name="ClassNames"/>.</param>
/// <param name="ClassNames">Species names, in class-index order.</param>
public sealed record IrisData(float[][] Features, int[] Labels, IReadOnlyList<string> ClassNames)
{
    public static IReadOnlyList<string> Species { get; } = ["setosa", "versicolor", "virginica"];

    public static IrisData Load()
    {
        using var stream = typeof(IrisData).Assembly.GetManifestResourceStream("ModelZoo.iris.csv")
            ?? throw new InvalidOperationException("Embedded resource ModelZoo.iris.csv is missing.");
        using var reader = new StreamReader(stream);

        string header = reader.ReadLine() ?? "";
        if (header != "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species")
        {
            throw new InvalidDataException($"iris.csv has an unexpected header '{header}'.");
        }

        var features = new List<float[]>();
        var labels = new List<int>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            string[] fields = line.Split(',');
            features.Add([.. fields.Take(4).Select(f => float.Parse(f, NumberStyles.Float, CultureInfo.InvariantCulture))]);
            int label = Species.ToList().IndexOf(fields[4]);
            labels.Add(label >= 0 ? label : throw new InvalidDataException($"iris.csv has an unknown species '{fields[4]}'."));
        }

        return new IrisData([.. features], [.. labels], Species);
    }
}
