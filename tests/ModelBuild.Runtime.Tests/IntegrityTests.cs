using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Runtime.Tests;

public sealed class IntegrityTests : IDisposable
{
    private readonly ModelFixture _iris = new(TestModels.Iris(), "iris-classifier");

    public void Dispose() => _iris.Dispose();

    /// <summary>Flips one byte inside the model's doc string, so the file stays a valid model.</summary>
    private void FlipOneByte()
    {
        byte[] bytes = File.ReadAllBytes(_iris.FullPath);
        int at = bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(new string('a', 64)));
        Assert.True(at >= 0);
        bytes[at + 10] = (byte)'b';
        File.WriteAllBytes(_iris.FullPath, bytes);
    }

    [Fact]
    public void Load_UnchangedFile_Succeeds()
    {
        using var session = _iris.Load();
        Assert.NotNull(session.InferenceSession);
    }

    [Fact]
    public void Load_OneFlippedByte_ThrowsMB3001()
    {
        string expected = _iris.Description.Sha256;
        FlipOneByte();
        string actual = TestModels.Sha256(_iris.FullPath);

        var ex = Assert.Throws<ModelIntegrityException>(() => _iris.Load());
        Assert.Equal("MB3001", ex.Code);
        Assert.StartsWith("MB3001:", ex.Message);
        Assert.Contains(_iris.FullPath, ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(actual, ex.Message);
        Assert.Contains("VerifyIntegrity", ex.Message);
        Assert.Contains("Rebuild or republish", ex.Message);
        Assert.Equal(expected, ex.ExpectedSha256);
        Assert.Equal(actual, ex.ActualSha256);
    }

    [Fact]
    public void Load_OneFlippedByte_WithVerifyIntegrityFalse_LoadsAndRuns()
    {
        FlipOneByte();
        using var session = _iris.Load(new ModelOptions { VerifyIntegrity = false });
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<float>(new float[] { 1, 2, 3, 4 }, [1, 4]));
        using var results = session.Run(inputs);
        Assert.Equal(1f, results.GetTensor<float>(0).Sum(), 5);
    }

    [Fact]
    public void Load_HashComparisonIgnoresCase()
    {
        var d = _iris.Description;
        var upper = new ModelDescription(d.ClassName, d.ModelFileName, d.AssetPath, d.Sha256.ToUpperInvariant(), d.IrVersion,
            d.OpsetImports, d.ProducerName, d.ProducerVersion, d.GraphName, d.DocString, d.Inputs, d.Outputs);
        using var session = ModelSession.Load(upper, null, new ModelOptions { BaseDirectory = _iris.BaseDirectory });
        Assert.Equal(_iris.FullPath, session.ModelPath);
    }

    [Fact]
    public void Load_MissingFile_ThrowsMB3003NamingFullPathAndBaseDirectory()
    {
        string emptyBase = Path.Combine(_iris.BaseDirectory, "elsewhere");
        var ex = Assert.Throws<ModelVariantNotFoundException>(
            () => ModelSession.Load(_iris.Description, null, new ModelOptions { BaseDirectory = emptyBase }));
        string lookedAt = Path.GetFullPath(Path.Combine(emptyBase, _iris.Description.AssetPath));
        Assert.Equal("MB3003", ex.Code);
        Assert.StartsWith("MB3003:", ex.Message);
        Assert.Contains($"cpu variant '{lookedAt}': file not found", ex.Message);
        Assert.Contains(Path.GetFullPath(emptyBase), ex.Message);
        Assert.Equal(Path.GetFullPath(emptyBase), ex.BaseDirectory);
    }

    [Fact]
    public void Load_MissingExplicitPath_ThrowsMB3002()
    {
        string path = Path.Combine(_iris.BaseDirectory, "nope.onnx");
        var ex = Assert.Throws<ModelFileNotFoundException>(() => ModelSession.Load(_iris.Description, path, null));
        Assert.Contains(path, ex.Message);
        Assert.Contains(_iris.Description.AssetPath, ex.Message);
    }

    [Fact]
    public void Load_ExplicitPath_IsUsedInsteadOfAssetPath()
    {
        using var session = ModelSession.Load(_iris.Description, _iris.FullPath, new ModelOptions { BaseDirectory = "/nonexistent" });
        Assert.Equal(_iris.FullPath, session.ModelPath);
    }

    [Fact]
    public void Load_DescriptionNamingAnUnknownInput_Throws()
    {
        var d = _iris.Description;
        var wrong = new ModelDescription(d.ClassName, d.ModelFileName, d.AssetPath, d.Sha256, d.IrVersion, d.OpsetImports,
            d.ProducerName, d.ProducerVersion, d.GraphName, d.DocString,
            [new ValueDescription("feature", "float", [new Dimension(null, "batch"), new Dimension(4, null)], "")], d.Outputs);
        var ex = Assert.Throws<InvalidOperationException>(() => ModelSession.Load(wrong, null, new ModelOptions { BaseDirectory = _iris.BaseDirectory }));
        Assert.Contains("'feature'", ex.Message);
    }
}
