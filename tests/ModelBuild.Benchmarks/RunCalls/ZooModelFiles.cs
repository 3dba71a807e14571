using ModelBuild.Runtime;
using ModelZoo;

namespace ModelBuild.Benchmarks;

/// <summary>The zoo models whose typed wrappers are generated from Signatures/, written to a temporary folder.</summary>
public sealed class ZooModelFiles : IDisposable
{
    public ZooModelFiles()
    {
        Folder = Path.Combine(Path.GetTempPath(), "mbrt-zoo-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Zoo.Write("iris-classifier.onnx", Folder);
        Zoo.Write("text-classifier.onnx", Folder);
    }

    public string Folder { get; }

    public string Iris => Path.Combine(Folder, "iris-classifier.onnx");

    public string TextClassifier => Path.Combine(Folder, "text-classifier.onnx");

    /// <summary>Options for loading an original zoo file: its hash is not the compiled variant's recorded one.</summary>
    public static ModelOptions Options => new() { VerifyIntegrity = false, IntraOpNumThreads = 1 };

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
