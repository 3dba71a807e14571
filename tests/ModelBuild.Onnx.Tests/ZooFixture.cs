using ModelZoo;

namespace ModelBuild.Onnx.Tests;

/// <summary>The model zoo written once into a temporary folder, shared by a test class.</summary>
public sealed class ZooFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public ZooFixture() => Zoo.WriteAll(_folder.Path);

    public string Folder => _folder.Path;

    public string PathOf(string name) => _folder.File(name);

    public void Dispose() => _folder.Dispose();
}
