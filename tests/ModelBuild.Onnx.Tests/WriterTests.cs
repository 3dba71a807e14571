using ModelZoo.Models;

namespace ModelBuild.Onnx.Tests;

public sealed class WriterTests
{
    [Fact]
    public void WriteFileWritesTheSerializedBytesAndNoTemporaryFile()
    {
        using var folder = new TempFolder();
        var model = DynamicDimsModel.Build();
        string path = folder.File("model.onnx");

        File.WriteAllText(path, "old content that must be replaced");
        OnnxModelWriter.WriteFile(model, path);

        Assert.Equal(OnnxModelWriter.Serialize(model), File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void FailedWriteLeavesNoTemporaryFileAndReportsMB1007()
    {
        using var folder = new TempFolder();
        // The target is a folder: the final move fails after the temporary file was written.
        string path = folder.File("model.onnx");
        Directory.CreateDirectory(path);

        var ex = Assert.Throws<ModelBuildException>(() => OnnxModelWriter.WriteFile(DynamicDimsModel.Build(), path));

        Assert.Equal("MB1007", ex.Code);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Equal([path], Directory.GetFileSystemEntries(folder.Path));
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }
}
