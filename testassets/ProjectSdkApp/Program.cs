using Botany;
using Microsoft.ML.OnnxRuntime.Tensors;

// Custom class name, namespace and internal access through item metadata.
using var model = Flowers.Load(new ModelBuild.Runtime.ModelOptions { IntraOpNumThreads = 1 });
using var output = model.Run(new FlowersInput { Features = new DenseTensor<float>(new[] { 6.3f, 3.3f, 6.0f, 2.5f }, [1, 4]) });
Console.WriteLine($"label: {output.Label[0]}");
Console.WriteLine($"public: {typeof(Flowers).IsPublic}");
Console.WriteLine($"sha256: {Flowers.Description.Sha256}");
