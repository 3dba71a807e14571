using ModelZoo.Published;

namespace ModelBuild.Onnx.Tests;

/// <summary>Published real models (fetched from npm, cached, never committed) read and re-serialize byte-identically.</summary>
public sealed class PublishedModelTests
{
    public static TheoryData<string, string> Models()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in PublishedModels.OpenWakeWordOnnx) data.Add("openwakeword", name);
        foreach (string name in PublishedModels.PaddleOcrOnnx) data.Add("paddleocr", name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void PublishedModelRoundTripsByteIdentically(string package, string fileName)
    {
        NpmPackage source = package == "openwakeword" ? PublishedModels.OpenWakeWord : PublishedModels.PaddleOcr;
        string path = source.File(fileName);

        var model = OnnxModelReader.ReadFile(path);

        Assert.NotEmpty(model.Graph.Node);
        Assert.True(OnnxModelWriter.Serialize(model).AsSpan().SequenceEqual(File.ReadAllBytes(path)),
            $"{fileName} from {source.Name}@{source.Version} did not re-serialize to its own bytes.");
    }
}
