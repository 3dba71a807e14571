using Google.Protobuf;
using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;

namespace ModelBuild.Onnx.Tests;

/// <summary>Every way a file can fail to be a model gives its own MB code and names the file.</summary>
public sealed class ReaderErrorTests(ZooFixture zoo) : IClassFixture<ZooFixture>
{
    private static ModelBuildException ReadFails(string path, string code, OnnxReadLimits? limits = null)
    {
        var ex = Assert.Throws<ModelBuildException>(() => OnnxModelReader.ReadFile(path, limits));
        Assert.Equal(code, ex.Code);
        Assert.Equal(path, ex.FilePath);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public void MissingFileIsMB1001()
    {
        using var folder = new TempFolder();
        ReadFails(folder.File("nope.onnx"), "MB1001");
        ReadFails(Path.Combine(folder.Path, "no-such-folder", "model.onnx"), "MB1001");
    }

    [Fact]
    public void FolderInsteadOfFileIsMB1001()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("model.onnx"));
        ReadFails(folder.File("model.onnx"), "MB1001");
    }

    [Fact]
    public void EmptyFileIsMB1002() => ReadFails(zoo.PathOf("empty.onnx"), "MB1002");

    [Fact]
    public void TruncatedFileIsMB1003()
    {
        // Found by the wire-format scan, before parsing: it says where the file stops making sense.
        var ex = ReadFails(zoo.PathOf("truncated.onnx"), "MB1003");
        Assert.Contains("at byte", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomBytesAreMB1003() => ReadFails(zoo.PathOf("random.onnx"), "MB1003");

    [Fact]
    public void BytesAfterAnEndGroupTagAreMB1003()
    {
        // Generated parsers stop silently at an end-group tag; the reader must notice the rest.
        using var folder = new TempFolder();
        string path = folder.File("end-group.onnx");
        File.WriteAllBytes(path, [.. File.ReadAllBytes(zoo.PathOf("iris-classifier.onnx")), 0x0C, 0xFF, 0xFF]);
        var ex = ReadFails(path, "MB1003");
        Assert.Contains("end-group", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8InAStringFieldIsMB1003()
    {
        using var folder = new TempFolder();
        string path = folder.File("bad-utf8.onnx");
        // ir_version = 8, then producer_name (field 2, length 2) = C3 28: an invalid UTF-8 sequence.
        File.WriteAllBytes(path, [0x08, 0x08, 0x12, 0x02, 0xC3, 0x28]);
        ReadFails(path, "MB1003");
    }

    [Fact]
    public void SerializedTensorIsNotAModelMB1004()
    {
        var ex = ReadFails(zoo.PathOf("not-a-model.onnx"), "MB1004");
        Assert.Contains("graph", ex.Message, StringComparison.Ordinal);
        Assert.Contains("opset_import", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SerializedOperatorSetIdIsNotAModelMB1004()
    {
        using var folder = new TempFolder();
        string path = folder.File("opset.onnx");
        File.WriteAllBytes(path, new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 3 }.ToByteArray());
        var ex = ReadFails(path, "MB1004");
        Assert.Contains("ir_version", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelWithoutGraphIsMB1004()
    {
        using var folder = new TempFolder();
        string path = folder.File("no-graph.onnx");
        var model = new ModelProto { IrVersion = 8 };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        File.WriteAllBytes(path, model.ToByteArray());
        var ex = ReadFails(path, "MB1004");
        Assert.Contains("no graph", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FileOverTheSizeLimitIsMB1005()
    {
        string path = zoo.PathOf("iris-classifier.onnx");
        ReadFails(path, "MB1005", new OnnxReadLimits { MaxFileBytes = 100 });
        Assert.NotNull(OnnxModelReader.ReadFile(path, new OnnxReadLimits { MaxFileBytes = new FileInfo(path).Length }));
    }

    [Fact]
    public void NestingOverTheRecursionLimitIsMB1005()
    {
        // Model > graph > value_info > type > tensor type > shape > dim: 7 levels in the iris model.
        string path = zoo.PathOf("iris-classifier.onnx");
        ReadFails(path, "MB1005", new OnnxReadLimits { RecursionLimit = 3 });
    }

    [Fact]
    public void DeeplyNestedSubgraphsAreMB1005WithDefaultLimits()
    {
        using var folder = new TempFolder();
        var graph = new GraphProto { Name = "leaf" };
        for (int i = 0; i < 40; i++)
        {
            var outer = new GraphProto { Name = $"level{i}" };
            outer.Node.Add(Node("If", $"if{i}", ["cond"], ["out"],
                new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = graph }));
            graph = outer;
        }

        string path = folder.File("deep.onnx");
        File.WriteAllBytes(path, Model(graph).ToByteArray());
        var ex = ReadFails(path, "MB1005");
        Assert.Contains("100", ex.Message, StringComparison.Ordinal);
    }
}
