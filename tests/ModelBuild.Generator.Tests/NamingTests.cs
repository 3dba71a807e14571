namespace ModelBuild.Generator.Tests;

public class NamingTests
{
    [Theory]
    [InlineData("input.1", "Input", "Input1")]
    [InlineData("0", "Output", "Output0")]
    [InlineData("class", "Input", "Class")]
    [InlineData("a/b:0", "Input", "AB0")]
    [InlineData("foo_bar", "Input", "FooBar")]
    [InlineData("foo.bar", "Input", "FooBar")]
    [InlineData("", "Output", "Output")]
    [InlineData("::", "Input", "Input")]
    [InlineData("featuresIn", "Input", "FeaturesIn")]
    [InlineData("x\u200By", "Input", "XY")]     // zero-width space separates
    [InlineData("ab\u00ADc", "Input", "AbC")]     // soft hyphen separates
    [InlineData("a\u202Eb", "Input", "AB")]       // right-to-left override separates
    [InlineData("é_ß", "Input", "É\u00DF")]     // invariant upper-casing of the first letter only (ß has no single-char upper case)
    [InlineData("١x", "Input", "Input١x")]       // Arabic-Indic digit one (Nd) first
    [InlineData("Ⅻx", "Input", "Ⅻx")]            // letter number (Nl) may start an identifier
    public void PascalCase(string onnxName, string prefix, string expected) =>
        Assert.Equal(expected, CodeText.PascalCase(onnxName, prefix));

    [Fact]
    public void CollisionsGetSuffixesInGraphOrder()
    {
        string[] names = CodeText.PropertyNames(["foo_bar", "foo.bar", "FooBar2", "Dispose", "M", "MInput", "equals", "GetHashCode"], "Input", "MInput", "M");
        Assert.Equal(["FooBar", "FooBar2", "FooBar22", "Dispose2", "M2", "MInput2", "Equals2", "GetHashCode2"], names);
    }

    [Fact]
    public void PropertyNamesAreAlwaysIdentifiers()
    {
        var random = new Random(1234);
        for (int i = 0; i < 2000; i++)
        {
            string name = new(Enumerable.Range(0, random.Next(0, 8)).Select(_ => (char)random.Next(0, 0x3000)).ToArray());
            string result = CodeText.PascalCase(name, "Input");
            Assert.True(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(result), $"{result} from {CodeText.Literal(name)}");
            Assert.DoesNotContain(result, c => char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        }
    }

    [Fact]
    public void VeryLongNamesAreCut() =>
        Assert.Equal(400, CodeText.PascalCase(new string('a', 5000), "Input").Length);

    [Theory]
    [InlineData("IrisClassifier", true)]
    [InlineData("_Model", true)]
    [InlineData("Модель", true)]
    [InlineData("iris", false)]
    [InlineData("class", false)]
    [InlineData("record", false)]
    [InlineData("A B", false)]
    [InlineData("A\u200B", false)]
    public void TypeNames(string name, bool valid) => Assert.Equal(valid, ModelBuild.Shared.ModelNaming.CheckClassName(name) is null);
}
