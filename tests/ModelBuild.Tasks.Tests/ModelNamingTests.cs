using ModelBuild.Shared;

namespace ModelBuild.Tasks.Tests;

public sealed class ModelNamingTests
{
    [Theory]
    [InlineData("mnist-classifier.onnx", "MnistClassifier")]
    [InlineData("ch_PP-OCRv4_rec.onnx", "ChPPOCRv4Rec")]
    [InlineData("3d-net.onnx", "Model3dNet")]
    [InlineData("---.onnx", "Model")]
    [InlineData("iris.classifier.v2.onnx", "IrisClassifierV2")]
    [InlineData("/some/folder/resnet50.onnx", "Resnet50")]
    [InlineData("model", "Model")]
    [InlineData("ünïcode-net.onnx", "ÜnïcodeNet")]
    [InlineData("a\u200Bb.onnx", "AB")]          // zero-width space: a separator, not silently dropped
    [InlineData("evil\u202Egnp.onnx", "EvilGnp")] // right-to-left override
    [InlineData("soft\u00ADhyphen.onnx", "SoftHyphen")]
    [InlineData("\u200B9lives.onnx", "Model9lives")]
    [InlineData("a b\tc.onnx", "ABC")]
    [InlineData("session.onnx", "SessionModel")]  // a member of the generated class would fail in the generator (MB2003)
    [InlineData("run.onnx", "RunModel")]
    public void DefaultClassName(string path, string expected)
    {
        string name = ModelNaming.DefaultClassName(path);
        Assert.Equal(expected, name);
        Assert.Null(ModelNaming.CheckClassName(name));
    }

    [Fact]
    public void DefaultClassName_never_contains_format_characters()
    {
        foreach (char c in "\u200B\u200C\u200D\u202A\u202E\u2066\uFEFF\u00AD")
        {
            string name = ModelNaming.DefaultClassName($"x{c}y.onnx");
            Assert.Equal("XY", name);
        }
    }

    [Theory]
    [InlineData("Model", true)]
    [InlineData("_private", true)]
    [InlineData("Net2", true)]
    [InlineData("Ünïcode", true)]
    [InlineData("", false)]
    [InlineData("2Net", false)]
    [InlineData("class", false)]
    [InlineData("namespace", false)]
    [InlineData("int", false)]
    [InlineData("Class", true)]
    [InlineData("@class", false)]
    [InlineData("a-b", false)]
    [InlineData("a.b", false)]
    [InlineData("a b", false)]
    [InlineData("a\u200Bb", false)]
    [InlineData("ab\u202E", false)]
    [InlineData("a\u00ADb", false)]
    [InlineData("model", false)]     // lower-case ASCII only: CS8981
    [InlineData("record", false)]    // contextual keyword
    [InlineData("Session", false)]   // members of the generated class: CS0542
    [InlineData("Description", false)]
    [InlineData("Model\u0301", true)] // a combining mark after the first letter, as C# allows
    public void Class_names_follow_the_generators_rules(string name, bool valid) => Assert.Equal(valid, ModelNaming.CheckClassName(name) is null);

    [Theory]
    [InlineData("Models", true)]
    [InlineData("Contoso.App.Models", true)]
    [InlineData("_x.Y2", true)]
    [InlineData("", false)]
    [InlineData(".Models", false)]
    [InlineData("Models.", false)]
    [InlineData("A..B", false)]
    [InlineData("App.class", false)]
    [InlineData("static.Models", false)]
    [InlineData("App.2d", false)]
    [InlineData("App.Mo dels", false)]
    [InlineData("App::Models", false)]
    [InlineData("App.Mod\u200Bels", false)]
    [InlineData("App.global.Models", false)]
    [InlineData("app.models", true)]
    public void Namespaces_follow_the_generators_rules(string ns, bool valid) => Assert.Equal(valid, ModelNaming.CheckNamespace(ns) is null);
}
