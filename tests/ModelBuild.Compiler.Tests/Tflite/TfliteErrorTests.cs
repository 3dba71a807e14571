using System.Text.RegularExpressions;
using ModelBuild.Compiler.Tflite;
using ModelBuild.Compiler.Tflite.Schema;
using ModelZoo.Published;

namespace ModelBuild.Compiler.Tests.Tflite;

/// <summary>Hostile and unsupported TFLite files fail the compiler with their MB code, naming the file, leaving nothing behind.</summary>
public sealed class TfliteErrorTests
{
    [Fact]
    public void An_unsupported_operator_is_named_with_its_index_and_the_supported_list()
    {
        var tflite = new HandMadeTflite();
        int x = tflite.Input("x", [1, 4]);
        int hidden = tflite.Tensor("hidden", [1, 4]);
        int y = tflite.Output("y", [1, 4]);
        tflite.Operator(BuiltinOperator.RELU, [x], [hidden]);
        tflite.Operator(BuiltinOperator.CUMSUM, [hidden, tflite.Ints("axis", [1], [])], [y]);

        var error = CompileExpectingError(tflite.Build());

        Assert.Equal("MB1112", error.Code);
        Assert.Contains("operator 1", error.Text);
        Assert.Contains("CUMSUM", error.Text);
        Assert.Contains("Supported: ", error.Text);
        Assert.Contains("CONV_2D", error.Text);
        Assert.Contains("FULLY_CONNECTED", error.Text);
    }

    [Fact]
    public void The_operator_table_in_the_docs_lists_exactly_the_supported_operators()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "build.sh")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("build.sh not found above " + AppContext.BaseDirectory);
        }
        string docs = File.ReadAllText(Path.Combine(root, "docs", "formats.md"));
        int start = docs.IndexOf("### Operators", StringComparison.Ordinal);
        string section = docs[start..docs.IndexOf("\n### ", start + 1, StringComparison.Ordinal)];
        string[] documented = [.. section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => Regex.Matches(l.Split('|')[1], "`([A-Z0-9_]+)`").Select(m => m.Groups[1].Value)).Order(StringComparer.Ordinal)];

        Assert.Equal(TfliteOperators.Supported, documented);
    }

    [Fact]
    public void A_custom_operator_is_named_by_its_custom_code_quoted()
    {
        var tflite = new HandMadeTflite();
        int x = tflite.Input("x", [1, 4]);
        int y = tflite.Output("y", [1, 4]);
        tflite.Operator(BuiltinOperator.CUSTOM, [x], [y], customCode: "Evil\nerror MB0000: forged");

        var error = CompileExpectingError(tflite.Build());

        Assert.Equal("MB1112", error.Code);
        Assert.Contains("CUSTOM 'Evil\\u000aerror MB0000: forged'", error.Text);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void A_truncated_real_model_fails_with_MB1110(double keep)
    {
        byte[] real = File.ReadAllBytes(PublishedModels.OpenWakeWord.File("hey_jarvis_v0.1.tflite"));

        var error = CompileExpectingError(real[..(int)(real.Length * keep)]);

        Assert.Equal("MB1110", error.Code);
    }

    [Fact]
    public void Random_bytes_behind_the_tflite_identifier_fail_with_MB1110()
    {
        var random = new Random(1110);
        for (int i = 0; i < 50; i++)
        {
            byte[] bytes = new byte[random.Next(8, 4096)];
            random.NextBytes(bytes);
            "TFL3"u8.CopyTo(bytes.AsSpan(4));

            var error = CompileExpectingError(bytes);

            Assert.Equal("MB1110", error.Code);
        }
    }

    [Fact]
    public void An_operator_reading_a_tensor_that_does_not_exist_fails_with_MB1114()
    {
        var tflite = new HandMadeTflite();
        int x = tflite.Input("x", [1, 4]);
        int y = tflite.Output("y", [1, 4]);
        tflite.Operator(BuiltinOperator.ADD, [x, 99], [y]);

        var error = CompileExpectingError(tflite.Build());

        Assert.Equal("MB1114", error.Code);
        Assert.Contains("tensor 99", error.Text);
    }

    [Fact]
    public void Weights_of_the_wrong_size_fail_with_MB1114()
    {
        var tflite = new HandMadeTflite();
        int x = tflite.Input("x", [1, 4]);
        int y = tflite.Output("y", [1, 4]);
        tflite.Operator(BuiltinOperator.ADD, [x, tflite.Floats("bias", [4], [1, 2])], [y]);

        var error = CompileExpectingError(tflite.Build());

        Assert.Equal("MB1114", error.Code);
        Assert.Contains("'bias'", error.Text);
    }

    private static (string Kind, string Code, string File, string Text) CompileExpectingError(byte[] model)
    {
        using var temp = new TempFolder();
        string path = temp.File("net.tflite");
        File.WriteAllBytes(path, model);

        var (ok, lines) = Jobs.Run(Jobs.For(path, temp.File("out")));

        Assert.False(ok);
        var error = Jobs.SingleError(lines);
        Assert.Equal(path, error.File);
        Assert.Contains(path, error.Text);
        Assert.DoesNotContain("   at ", error.Text);
        Assert.DoesNotContain('\n', error.Text);
        Assert.Equal(["net.tflite"], temp.Entries()); // no output, not even a partial one
        return error;
    }
}
