using System.Globalization;
using IrisSample.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

// Classifies a few iris flowers with the typed wrapper ModelBuild generated from models/iris-classifier.onnx.
string[] species = ["setosa", "versicolor", "virginica"];
float[][] flowers =
[
    [5.1f, 3.5f, 1.4f, 0.2f],
    [6.4f, 3.2f, 4.5f, 1.5f],
    [6.3f, 3.3f, 6.0f, 2.5f],
    [7.2f, 3.6f, 6.1f, 2.5f],
];

using var model = IrisClassifier.Load();
var features = new DenseTensor<float>(flowers.SelectMany(f => f).ToArray(), [flowers.Length, 4]);
using var output = model.Run(new IrisClassifierInput { Features = features });

Console.WriteLine($"Iris classifier ({IrisClassifier.Description.ProducerName}, opset {IrisClassifier.Description.OpsetImports[0].Version})");
for (int i = 0; i < flowers.Length; i++)
{
    long label = output.Label[i];
    string measurements = string.Join(", ", flowers[i].Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)));
    string probabilities = string.Join(" ", Enumerable.Range(0, species.Length)
        .Select(c => output.Probabilities[i, c].ToString("0.000000", CultureInfo.InvariantCulture)));
    Console.WriteLine($"[{measurements}] cm -> {species[label]} (probabilities: {probabilities})");
}
