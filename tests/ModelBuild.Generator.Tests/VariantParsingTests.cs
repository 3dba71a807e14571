using Microsoft.CodeAnalysis;

namespace ModelBuild.Generator.Tests;

/// <summary>The signature's required "variants" array.</summary>
public class VariantParsingTests
{
    private const string Path = "/proj/obj/modelbuild/Model.modelsig.json";

    private static string Iris => TestFiles.ReadSignature("Iris");

    private static string WithVariants(string variantsJson) =>
        Iris[..Iris.IndexOf(",\n  \"variants\"", StringComparison.Ordinal)] + ",\n  \"variants\": " + variantsJson + "\n}\n";

    private static string WithoutVariants() => WithVariants("[]").Replace(",\n  \"variants\": []", string.Empty, StringComparison.Ordinal);

    [Fact]
    public void VariantsAreReadInOrderWithEveryField()
    {
        ModelSignature model = SignatureParser.Parse(Path, Iris);
        Assert.True(model.CanEmit);
        Assert.Equal(["cpu", "x64", "cuda", "mobile"], model.Variants.Select(v => v.Target));
        Assert.Equal(
            new VariantSpec("cuda", "fp16", "cuda", "models/IrisClassifier/cuda/iris-classifier.onnx", "2123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            model.Variants[2]);
        Assert.Equal("models/IrisClassifier/mobile/iris-classifier.ort", model.Variants[3].AssetPath);
    }

    [Fact]
    public void SignatureWithoutVariants_IsMB2001()
    {
        // Every signature the compiler writes lists its variants; there is no older form to accept.
        Diagnostic d = Assert.Single(GeneratorHarness.Diagnostics(WithoutVariants(), Path));
        Assert.Equal("MB2001", d.Id);
        Assert.Contains("variants", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void VariantsAreValueEqual_ForIncrementalCaching()
    {
        Assert.Equal(SignatureParser.Parse(Path, Iris), SignatureParser.Parse(Path, Iris));
        Assert.NotEqual(SignatureParser.Parse(Path, Iris), SignatureParser.Parse(Path, Iris.Replace("\"fp16\"", "\"none\"", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("[]", "at least one variant")]
    [InlineData("{}", "\"variants\" must be an array")]
    [InlineData("[ \"cpu\" ]", "a variant must be an object")]
    [InlineData("[ { \"target\": \"cpu\", \"quantize\": \"none\", \"executionProvider\": \"cpu\", \"assetPath\": \"a\" } ]", "missing property \"sha256\"")]
    [InlineData("[ { \"target\": 1, \"quantize\": \"none\", \"executionProvider\": \"cpu\", \"assetPath\": \"a\", \"sha256\": \"b\" } ]", "\"target\" must be a string")]
    public void MalformedVariants_AreMB2001(string variants, string reason)
    {
        Diagnostic d = Assert.Single(GeneratorHarness.Diagnostics(WithVariants(variants), Path));
        Assert.Equal("MB2001", d.Id);
        Assert.Contains(reason, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
