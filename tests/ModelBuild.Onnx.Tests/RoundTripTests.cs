using Google.Protobuf;
using ModelBuild.Onnx.Protos;
using ModelZoo;

namespace ModelBuild.Onnx.Tests;

/// <summary>Reading then serializing must give back the original bytes (proto2 wire semantics).</summary>
public sealed class RoundTripTests(ZooFixture zoo) : IClassFixture<ZooFixture>
{
    private const string BackendTestData = "/usr/share/libonnx-testdata/data";

    [Fact]
    public void OnnxBackendTestModelsRoundTripByteIdentically()
    {
        Assert.True(Directory.Exists(BackendTestData),
            $"ONNX backend test models were not found in {BackendTestData}. Install them with " +
            "'sudo apt-get install libonnx-testdata' (Debian/Ubuntu package, ONNX 1.12 test data).");
        var files = Directory.EnumerateFiles(BackendTestData, "model.onnx", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 1000, $"Expected the ~1072 models of libonnx-testdata under {BackendTestData}, found {files.Count}.");

        var failures = new List<string>();
        foreach (string file in files)
        {
            try
            {
                byte[] original = File.ReadAllBytes(file);
                byte[] again = OnnxModelWriter.Serialize(OnnxModelReader.ReadFile(file));
                if (!again.AsSpan().SequenceEqual(original))
                {
                    failures.Add($"{file}: {original.Length} bytes read, {again.Length} bytes written, content differs");
                }
            }
            catch (ModelBuildException ex)
            {
                failures.Add($"{file}: {ex.Code} {ex.Message}");
            }
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} of {files.Count} models did not round-trip:\n{string.Join("\n", failures.Take(20))}");
    }

    public static TheoryData<string> ValidZooModels => [.. Zoo.ValidModels];

    [Theory]
    [MemberData(nameof(ValidZooModels))]
    public void ZooModelsRoundTripByteIdentically(string name)
    {
        string path = zoo.PathOf(name);
        byte[] again = OnnxModelWriter.Serialize(OnnxModelReader.ReadFile(path));
        Assert.Equal(File.ReadAllBytes(path), again);
    }

    [Fact]
    public void RepeatedInt64WithoutPackedOptionIsWrittenUnpacked()
    {
        // proto2: tensor dims are one tag per value (08 02 08 03), not a packed block (0A 02 02 03).
        var tensor = new TensorProto();
        tensor.Dims.Add(2);
        tensor.Dims.Add(3);
        Assert.Equal(new byte[] { 0x08, 0x02, 0x08, 0x03 }, tensor.ToByteArray());
    }

    [Fact]
    public void UnknownFieldsSurviveTheRoundTrip()
    {
        using var folder = new TempFolder();
        byte[] model = File.ReadAllBytes(zoo.PathOf("iris-classifier.onnx"));
        // Field 99, wire type 2, "future": a field from a later ONNX version this schema does not know.
        byte[] extra = [0x9A, 0x06, 0x06, .. "future"u8];
        string path = folder.File("future.onnx");
        File.WriteAllBytes(path, [.. model, .. extra]);

        Assert.Equal(File.ReadAllBytes(path), OnnxModelWriter.Serialize(OnnxModelReader.ReadFile(path)));
    }
}
