using MultiTargetApp.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

// Prints the variant Load() chose for this machine and the class of one iris flower.
using var model = IrisClassifier.Load();
using var output = model.Run(new IrisClassifierInput { Features = new DenseTensor<float>(new[] { 6.3f, 3.3f, 6.0f, 2.5f }, [1, 4]) });
Console.WriteLine($"asset: {model.Variant.AssetPath}");
Console.WriteLine($"label: {output.Label[0]}");
