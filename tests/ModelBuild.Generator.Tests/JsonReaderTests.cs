namespace ModelBuild.Generator.Tests;

public class JsonReaderTests
{
    [Fact]
    public void ParsesValuesAndEscapes()
    {
        JsonNode root = JsonReader.Parse("{ \"s\": \"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\ude00\", \"n\": -12.5e+3, \"t\": true, \"f\": false, \"z\": null, \"a\": [1, [], {}] }");
        Assert.Equal("a\"\\/\b\f\n\r\té😀", root.Get("s")!.Text);
        Assert.Equal("-12.5e+3", root.Get("n")!.Text);
        Assert.Equal(JsonKind.True, root.Get("t")!.Kind);
        Assert.Equal(JsonKind.False, root.Get("f")!.Kind);
        Assert.Equal(JsonKind.Null, root.Get("z")!.Kind);
        Assert.Equal(3, root.Get("a")!.Items.Count);
        Assert.Equal(["s", "n", "t", "f", "z", "a"], root.Members.Select(m => m.Key));
    }

    [Theory]
    [InlineData("{ // c\n }", 1, 3)]
    [InlineData("[1,]", 1, 4)]
    [InlineData("[1 2]", 1, 4)]
    [InlineData("{\"a\" 1}", 1, 6)]
    [InlineData("\"\\x\"", 1, 3)]
    [InlineData("\"\\u12G4\"", 1, 6)]
    [InlineData("\"abc", 1, 5)]
    [InlineData("-", 1, 2)]
    [InlineData("1.", 1, 3)]
    [InlineData("1e", 1, 3)]
    [InlineData("tru", 1, 1)]
    [InlineData("NaN", 1, 1)]
    [InlineData("{\n\n   x", 3, 4)]
    [InlineData("[\"a\"]\n\n  ]", 3, 3)]
    public void RejectsInvalidJsonWithPosition(string json, int line, int column)
    {
        var e = Assert.Throws<JsonParseException>(() => JsonReader.Parse(json));
        Assert.Equal((line, column), (e.Line, e.Column));
    }

    [Fact]
    public void AcceptsLeadingBomAndSurroundingWhitespace() =>
        Assert.Equal(JsonKind.Array, JsonReader.Parse("\uFEFF \r\n\t[]\n").Kind);

    [Fact]
    public void NestingLimit()
    {
        Assert.Equal(JsonKind.Array, JsonReader.Parse(new string('[', JsonReader.MaxDepth) + new string(']', JsonReader.MaxDepth)).Kind);
        Assert.Throws<JsonParseException>(() => JsonReader.Parse(new string('[', JsonReader.MaxDepth + 1) + new string(']', JsonReader.MaxDepth + 1)));
    }
}
