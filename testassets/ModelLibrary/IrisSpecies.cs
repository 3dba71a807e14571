using Contoso.Iris.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Contoso.Iris;

/// <summary>The library's own API over the generated wrapper, as a real model library would offer.</summary>
public static class IrisSpecies
{
    /// <summary>Classifies one flower from its four measurements (cm).</summary>
    public static long Classify(float sepalLength, float sepalWidth, float petalLength, float petalWidth)
    {
        using var model = IrisClassifier.Load(new ModelBuild.Runtime.ModelOptions { IntraOpNumThreads = 1 });
        using var output = model.Run(new IrisClassifierInput
        {
            Features = new DenseTensor<float>(new[] { sepalLength, sepalWidth, petalLength, petalWidth }, [1, 4]),
        });
        return output.Label[0];
    }
}
