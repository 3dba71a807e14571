using ModelBuild.Onnx.Protos;
using ModelZoo;
using ModelZoo.Models;
using static ModelZoo.OnnxBuilder;

namespace ModelBuild.Onnx.Tests;

/// <summary>External data is found everywhere in a model, read correctly, and only from safe places.</summary>
public sealed class ExternalDataTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public ExternalDataTests() => Zoo.Write("external-data.onnx", ModelFolder);

    // A sub-folder, so "../x" has a real file to point at just outside the model's folder.
    private string ModelFolder => _folder.File("model");

    private string ModelPath => Path.Combine(ModelFolder, "external-data.onnx");

    public void Dispose() => _folder.Dispose();

    private ModelProto Read() => OnnxModelReader.ReadFile(ModelPath);

    private static TensorProto Weight(ModelProto model) => model.Graph.Initializer.Single(t => t.Name == "W");

    private static void Set(TensorProto tensor, string key, string value)
    {
        var entry = tensor.ExternalData.SingleOrDefault(e => e.Key == key);
        if (entry is null) tensor.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        else entry.Value = value;
    }

    private ModelBuildException Rejected(ModelProto model, string code)
    {
        var ex = Assert.Throws<ModelBuildException>(() => OnnxExternalData.LoadIntoModel(model, ModelFolder, ModelPath));
        Assert.Equal(code, ex.Code);
        Assert.Equal(ModelPath, ex.FilePath);
        Assert.Contains(ModelPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'W'", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    private ModelBuildException RejectedLocation(string location, string code)
    {
        var model = Read();
        Set(Weight(model), "location", location);
        var ex = Rejected(model, code);
        Assert.True(Weight(model).ExternalData.Count > 0, "A rejected model must not be modified.");
        return ex;
    }

    [Fact]
    public void EnumerateResolvesEveryExternalTensor()
    {
        var references = OnnxExternalData.Enumerate(Read(), ModelFolder);

        string dataPath = Path.Combine(Path.GetFullPath(ModelFolder), ExternalDataModel.DataFileName);
        Assert.Collection(references,
            w => Assert.Equal(("W", dataPath, ExternalDataModel.DataFileName, 0L, 48L), (w.Tensor.Name, w.FullPath, w.RelativeLocation, w.Offset, w.Length)),
            b => Assert.Equal(("B", dataPath, ExternalDataModel.DataFileName, 64L, 12L), (b.Tensor.Name, b.FullPath, b.RelativeLocation, b.Offset, b.Length)));
    }

    [Fact]
    public void LoadIntoModelInlinesTheRightBytes()
    {
        var model = Read();
        OnnxExternalData.LoadIntoModel(model, ModelFolder, ModelPath);

        var w = Weight(model);
        var b = model.Graph.Initializer.Single(t => t.Name == "B");
        Assert.Equal(FloatBytes(ExternalDataModel.Weights), w.RawData.ToByteArray());
        Assert.Equal(FloatBytes(ExternalDataModel.Bias), b.RawData.ToByteArray());
        Assert.All(new[] { w, b }, t =>
        {
            Assert.Empty(t.ExternalData);
            Assert.False(t.HasDataLocation);
        });
        Assert.Empty(OnnxExternalData.Enumerate(model, ModelFolder));
    }

    [Fact]
    public void MissingLengthMeansTheRestOfTheFile()
    {
        var model = Read();
        var b = model.Graph.Initializer.Single(t => t.Name == "B");
        b.ExternalData.Remove(b.ExternalData.Single(e => e.Key == "length"));
        var reference = OnnxExternalData.Enumerate(model, ModelFolder).Single(r => r.Tensor.Name == "B");
        Assert.Equal(12L, reference.Length);
    }

    [Fact]
    public void TensorsInSubgraphsAndSparseInitializersAreFound()
    {
        var model = Read();
        var external = Weight(model).Clone();
        external.Name = "in_subgraph";
        var branch = new GraphProto { Name = "then" };
        branch.Initializer.Add(external);
        var nested = new GraphProto { Name = "nested" };
        nested.Node.Add(Node("If", "inner_if", ["c"], ["o"],
            new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch }));
        model.Graph.Node.Add(Node("Loop", "loop", ["", "c"], ["o2"],
            new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graphs, Graphs = { nested } }));

        var values = Weight(model).Clone();
        values.Name = "sparse_values";
        model.Graph.SparseInitializer.Add(new SparseTensorProto { Values = values, Dims = { 12 } });

        var names = OnnxExternalData.Enumerate(model, ModelFolder).Select(r => r.Tensor.Name).ToList();
        Assert.Equal(["W", "B", "sparse_values", "in_subgraph"], names);

        // And the checks apply there too: a hostile location deep in a subgraph is refused.
        Set(external, "location", "../outside.bin");
        var ex = Assert.Throws<ModelBuildException>(() => OnnxExternalData.Enumerate(model, ModelFolder, ModelPath));
        Assert.Equal("MB1012", ex.Code);
        Assert.Contains("in_subgraph", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyLocationIsMB1010() => RejectedLocation("", "MB1010");

    [Fact]
    public void AbsoluteLocationIsMB1011()
    {
        string absolute = Path.Combine(Path.GetFullPath(ModelFolder), ExternalDataModel.DataFileName);
        RejectedLocation(absolute, "MB1011");
        RejectedLocation("/etc/passwd", "MB1011");
        RejectedLocation("C:x.data", "MB1011");
    }

    [Fact]
    public void ParentFolderLocationIsMB1012()
    {
        File.WriteAllBytes(_folder.File("outside.bin"), new byte[64]);
        var ex = RejectedLocation("../outside.bin", "MB1012");
        Assert.Contains("../outside.bin", ex.Message, StringComparison.Ordinal);
        RejectedLocation("sub/../../outside.bin", "MB1012");
        RejectedLocation("..\\outside.bin", "MB1012");
    }

    [Fact]
    public void SymlinkedFileIsMB1013()
    {
        File.CreateSymbolicLink(Path.Combine(ModelFolder, "link.data"), ExternalDataModel.DataFileName);
        var ex = RejectedLocation("link.data", "MB1013");
        Assert.Contains("link.data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SymlinkedFolderIsMB1013()
    {
        Directory.CreateDirectory(_folder.File("elsewhere"));
        File.WriteAllBytes(_folder.File(Path.Combine("elsewhere", "w.data")), ExternalDataModel.BuildDataFile());
        Directory.CreateSymbolicLink(Path.Combine(ModelFolder, "weights"), _folder.File("elsewhere"));
        RejectedLocation("weights/w.data", "MB1013");
    }

    [Fact]
    public void MissingFileIsMB1014()
    {
        var ex = RejectedLocation("missing.data", "MB1014");
        Assert.Contains("missing.data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FolderAsDataFileIsMB1015()
    {
        Directory.CreateDirectory(Path.Combine(ModelFolder, "folder.data"));
        RejectedLocation("folder.data", "MB1015");
    }

    [Fact]
    public void HardLinkedFileIsMB1016()
    {
        HardLink.Create(Path.Combine(ModelFolder, ExternalDataModel.DataFileName), _folder.File("second-name.data"));
        var ex = RejectedLocation(ExternalDataModel.DataFileName, "MB1016");
        Assert.Contains("2 hard links", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("offset", "-1")]
    [InlineData("offset", "abc")]
    [InlineData("length", "-4")]
    [InlineData("length", "")]
    [InlineData("length", "1e3")]
    public void InvalidOffsetOrLengthIsMB1017(string key, string value)
    {
        var model = Read();
        Set(Weight(model), key, value);
        Rejected(model, "MB1017");
    }

    [Theory]
    [InlineData("offset", "77")]
    [InlineData("offset", "9223372036854775807")]
    [InlineData("length", "1000")]
    public void RangeBeyondTheFileIsMB1018(string key, string value)
    {
        var model = Read();
        Set(Weight(model), key, value);
        var ex = Rejected(model, "MB1018");
        Assert.Contains("76 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ControlCharactersFromTheModelAreEscapedInMessages()
    {
        var model = Read();
        var weight = Weight(model);
        weight.Name = "W\nsrc/x.cs(1,1): error CS0001: fake";
        Set(weight, "location", "missing\r\n.data");
        var ex = Assert.Throws<ModelBuildException>(() => OnnxExternalData.Enumerate(model, ModelFolder, ModelPath));
        Assert.DoesNotContain('\n', ex.Message);
        Assert.DoesNotContain('\r', ex.Message);
        Assert.Contains("W\\u000Asrc", ex.Message, StringComparison.Ordinal);
    }
}
