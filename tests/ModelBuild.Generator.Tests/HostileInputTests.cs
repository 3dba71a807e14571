using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ModelBuild.Generator.Tests;

/// <summary>Nothing from a model may become code, a directive or a doc-comment element.</summary>
public class HostileInputTests
{
    private static SyntaxTree ParseGenerated(string name) =>
        CSharpSyntaxTree.ParseText(GeneratorHarness.GenerateOne(name).SourceText, GeneratorHarness.ParseOptions);

    public static TheoryData<string> Cases => BaselineTests.Cases;

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnlyNullableDirectiveAndNoParseDiagnostics(string name)
    {
        SyntaxTree tree = ParseGenerated(name);
        Assert.Empty(tree.GetDiagnostics()); // includes CS1570 (badly formed XML) in Diagnose mode
        var directives = tree.GetRoot().DescendantTrivia(descendIntoTrivia: true).Where(t => t.IsDirective).ToList();
        Assert.Single(directives);
        Assert.True(directives[0].IsKind(SyntaxKind.NullableDirectiveTrivia));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DocCommentsAreWellFormedXmlWithoutIncludeElements(string name)
    {
        SyntaxNode root = ParseGenerated(name).GetRoot();
        var docs = root.DescendantTrivia(descendIntoTrivia: true)
            .Select(t => t.GetStructure())
            .OfType<DocumentationCommentTriviaSyntax>()
            .ToList();
        Assert.NotEmpty(docs);
        foreach (DocumentationCommentTriviaSyntax doc in docs)
        {
            var elementNames = doc.DescendantNodes().OfType<XmlElementSyntax>().Select(e => e.StartTag.Name.ToString())
                .Concat(doc.DescendantNodes().OfType<XmlEmptyElementSyntax>().Select(e => e.Name.ToString()))
                .ToList();
            Assert.DoesNotContain("include", elementNames);
            Assert.All(elementNames, n => Assert.Contains(n, new[] { "summary", "remarks", "c", "param", "returns", "see", "paramref" }));

            string xml = string.Join("\n", doc.ToFullString().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)
                .Select(l => l.StartsWith("///", StringComparison.Ordinal) ? l[3..] : throw new Xunit.Sdk.XunitException("doc line without ///: " + l)));
            XDocument parsed = XDocument.Parse("<doc>" + xml + "</doc>"); // throws when not well-formed
            Assert.DoesNotContain(parsed.Descendants(), e => e.Name.LocalName == "include");
        }
    }

    [Fact]
    public void HostileTextStaysInsideLiteralsAndComments()
    {
        string text = GeneratorHarness.GenerateOne("Hostile").SourceText.ToString();
        SyntaxNode root = CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions).GetRoot();

        // Only '\n' breaks lines; no other line terminator, format or control char anywhere in the file.
        Assert.DoesNotContain(text, c => c is '\r' or '\u0085' or '\u2028' or '\u2029' || (char.IsControl(c) && c != '\n')
            || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.Surrogate);

        // Every "#error"/"#pragma"/"include" in the text is inside a string literal or a doc comment's text.
        foreach (string needle in new[] { "#error", "#pragma", "include" })
        {
            int index = text.IndexOf(needle, StringComparison.Ordinal);
            Assert.True(index >= 0, needle + " should appear (escaped) in the hostile baseline");
            for (; index >= 0; index = text.IndexOf(needle, index + 1, StringComparison.Ordinal))
            {
                SyntaxToken token = root.FindToken(index, findInsideTrivia: true);
                Assert.True(
                    token.IsKind(SyntaxKind.StringLiteralToken) || token.IsKind(SyntaxKind.XmlTextLiteralToken),
                    $"'{needle}' at {index} is in a {token.Kind()} token");
            }
        }

        // Only the two header comments are plain // comments.
        var comments = root.DescendantTrivia().Where(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia)).ToList();
        Assert.Equal(2, comments.Count);
    }

    [Fact]
    public void LiteralsCarryModelTextVerbatim()
    {
        string json = TestFiles.ReadSignature("Hostile");
        ModelSignature model = SignatureParser.Parse("h.modelsig.json", json);
        Assert.True(model.CanEmit);
        SyntaxNode root = ParseGenerated("Hostile").GetRoot();
        var literals = root.DescendantTokens().Where(t => t.IsKind(SyntaxKind.StringLiteralToken)).ToList();
        Assert.All(literals, t => Assert.DoesNotContain('\n', t.Text));
        var values = literals.Select(t => t.ValueText).ToHashSet(StringComparer.Ordinal);

        var expected = new List<string> { model.ModelFileName, model.AssetPath, model.ProducerName, model.ProducerVersion, model.GraphName, model.DocString };
        expected.AddRange(model.OpsetImports.Select(o => o.Domain));
        expected.AddRange(model.Variants.SelectMany(v => new[] { v.Target, v.Quantize, v.ExecutionProvider, v.AssetPath, v.Sha256 }));
        foreach (ValueSpec v in model.Inputs.Concat(model.Outputs))
        {
            expected.Add(v.Name);
            expected.Add(v.DocString); // full length: only the XML doc comment is truncated
            expected.AddRange(v.Type.Shape.Where(d => d.Param != null).Select(d => d.Param!));
        }

        Assert.Contains(expected, s => s.Contains('\u2028', StringComparison.Ordinal));
        Assert.Contains(expected, s => s.Contains('\ud800', StringComparison.Ordinal));
        Assert.All(expected, s => Assert.Contains(s, values));
    }

    [Fact]
    public void LongDocStringsAreTruncatedInDocComments()
    {
        string text = GeneratorHarness.GenerateOne("Hostile").SourceText.ToString();
        string line = text.Split('\n').Single(l => l.Contains("/// <remarks>", StringComparison.Ordinal) && l.Contains("xxxx", StringComparison.Ordinal));
        Assert.Contains("\u2026 (truncated; ", line, StringComparison.Ordinal);
        Assert.True(line.Length < 1400, "doc comment line too long: " + line.Length);
    }

    [Theory]
    [InlineData("a\nb", "a\\u000Ab")]
    [InlineData("a\u2028b\u2029c\u0085d\re", "a\\u2028b\\u2029c\\u0085d\\u000De")]
    [InlineData("</summary><include file='x' path='y'/>", "&lt;/summary&gt;&lt;include file=&apos;x&apos; path=&apos;y&apos;/&gt;")]
    [InlineData("a & \"b\"", "a &amp; &quot;b&quot;")]
    [InlineData("zero\u200Bwidth \u202Eevil \u00ADsoft", "zero\\u200Bwidth \\u202Eevil \\u00ADsoft")]
    [InlineData("λ ü 中", "λ ü 中")]
    public void XmlEscaping(string input, string expected) => Assert.Equal(expected, CodeText.Xml(input));

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("q\"b\\", "\"q\\\"b\\\\\"")]
    [InlineData("a\nb\u2028c", "\"a\\u000Ab\\u2028c\"")]
    [InlineData("é\0", "\"\\u00E9\\u0000\"")]
    public void LiteralEscaping(string input, string expected) => Assert.Equal(expected, CodeText.Literal(input));

    [Fact]
    public void LiteralRoundTripsEveryChar()
    {
        string all = new string(Enumerable.Range(0, 0x10000).Select(i => (char)i).ToArray());
        string literal = CodeText.Literal(all);
        Assert.All(literal, c => Assert.InRange(c, ' ', '~'));
        var expression = SyntaxFactory.ParseExpression(literal);
        Assert.Empty(expression.GetDiagnostics());
        Assert.Equal(all, ((LiteralExpressionSyntax)expression).Token.ValueText);
    }

    [Fact]
    public void TruncationNeverSplitsASurrogatePair()
    {
        string value = new string('a', CodeText.MaxDocLength - 1) + "😀" + "tail";
        string xml = CodeText.Xml(value);
        Assert.DoesNotContain("\\uD83D", xml, StringComparison.Ordinal);
        Assert.StartsWith(new string('a', CodeText.MaxDocLength - 1) + " \u2026", xml, StringComparison.Ordinal);
    }
}
