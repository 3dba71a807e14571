using Contoso.Iris;

namespace Contoso.Iris.Wrapper;

/// <summary>Names the species the model library predicts.</summary>
public static class FlowerNames
{
    private static readonly string[] Names = ["setosa", "versicolor", "virginica"];

    /// <summary>The species name of one flower from its four measurements (cm).</summary>
    public static string Classify(float sepalLength, float sepalWidth, float petalLength, float petalWidth) =>
        Names[IrisSpecies.Classify(sepalLength, sepalWidth, petalLength, petalWidth)];
}
