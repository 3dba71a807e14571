using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Passes;
using ModelBuild.Compiler.Pipeline;
using ModelZoo;

namespace ModelBuild.Compiler.Tests;

public sealed class LoadPassTests
{
    public static TheoryData<string> ValidModels => [.. Zoo.ValidModels];

    [Theory]
    [MemberData(nameof(ValidModels))]
    public void Reads_every_valid_zoo_model(string name)
    {
        using var temp = new TempFolder();
        Zoo.Write(name, temp.Path);
        var context = Jobs.Context(Jobs.For(temp.File(name), temp.File("out")));

        new LoadPass().Run(context);

        Assert.NotNull(context.Model);
        Assert.NotNull(context.Model.Graph);
        Assert.NotEmpty(context.Model.Graph.Output);
        Assert.NotEmpty(context.Model.OpsetImport);
        if (name == "external-data.onnx")
        {
            Assert.Equal(["B", "W"], context.ExternalData.Select(d => d.Tensor.Name).Order(StringComparer.Ordinal));
            Assert.All(context.ExternalData, d => Assert.Equal(temp.File("external-data.onnx.data"), d.FullPath));
        }
        else
        {
            Assert.Empty(context.ExternalData);
        }
    }

    [Theory]
    [InlineData("empty.onnx", "MB1002")]
    [InlineData("truncated.onnx", "MB1003")]
    [InlineData("random.onnx", "MB1003")]
    [InlineData("not-a-model.onnx", "MB1004")]
    public void Invalid_zoo_files_report_their_code_as_one_protocol_line(string name, string code)
    {
        using var temp = new TempFolder();
        Zoo.Write(name, temp.Path);
        string model = temp.File(name);

        var (ok, lines) = Jobs.Run(Jobs.For(model, temp.File("out")));

        Assert.False(ok);
        string line = Assert.Single(lines, l => l.StartsWith("##modelbuild|error|", StringComparison.Ordinal));
        Assert.StartsWith($"##modelbuild|error|{code}|{Uri.EscapeDataString(model)}|", line);
        var error = Jobs.Parse(line);
        Assert.Equal("error", error.Kind);
        Assert.Equal(code, error.Code);
        Assert.Equal(model, error.File);
        Assert.Contains(model, error.Text);
        Assert.DoesNotContain('\n', error.Text);
        Assert.DoesNotContain('\r', error.Text);
        Assert.DoesNotContain("   at ", error.Text);
        // Nothing may be left behind by a failed model.
        Assert.Equal([model], Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Human_readable_mode_prints_one_error_line_with_code_and_file()
    {
        using var temp = new TempFolder();
        Zoo.Write("empty.onnx", temp.Path);
        string model = temp.File("empty.onnx");

        var (ok, lines) = Jobs.Run(Jobs.For(model, temp.File("out")), forMsBuild: false);

        Assert.False(ok);
        string line = Assert.Single(lines);
        Assert.StartsWith($"error MB1002: {model}: ", line);
    }
}
