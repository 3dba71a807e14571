using Contoso.Iris;
using Contoso.Iris.Models;

// Uses the library's API and its generated (public) wrapper type.
Console.WriteLine($"label: {IrisSpecies.Classify(6.3f, 3.3f, 6.0f, 2.5f)}");
using var model = IrisClassifier.Load(new ModelBuild.Runtime.ModelOptions { IntraOpNumThreads = 1 });
Console.WriteLine($"variant: {model.Variant.Target}");

Console.WriteLine($"model version: {IrisClassifier.Description.ModelVersion}");
