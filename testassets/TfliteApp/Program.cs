using System.Globalization;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Runtime;
using TfliteApp.Models;

// Runs the typed wrapper of hey_jarvis.tflite, through the variant Load() chooses and through the mobile one, on a
// fixed input (the end-to-end test computes the same input for the .onnx twin).
float[] embeddings = [.. Enumerable.Range(0, 16 * 96).Select(i => MathF.Sin(i * 0.37f))];
foreach (string? target in new[] { null, "mobile" })
{
    using var model = HeyJarvis.Load(new ModelOptions { Target = target, Logger = Console.WriteLine });
    using var output = model.Run(new HeyJarvisInput { ServingDefaultX10 = new DenseTensor<float>(embeddings, [1, 16, 96]) });
    Console.WriteLine($"{model.Variant.Target} {model.ExecutionProvider} score: {output.PartitionedCall0[0, 0].ToString("R", CultureInfo.InvariantCulture)}");
}
