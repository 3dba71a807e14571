using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Benchmarks;
using ModelBuild.Onnx;
using ZooModels;

namespace ModelBuild.Runtime.Tests;

/// <summary>The wrappers generated from Signatures/ over the zoo models they were compiled from.</summary>
public sealed class GeneratedWrapperTests(ZooModelFiles files) : IClassFixture<ZooModelFiles>
{
    [Theory]
    [InlineData("iris-classifier.onnx")]
    [InlineData("text-classifier.onnx")]
    public void Signatures_StillDescribeTheZooModels(string file)
    {
        var graph = OnnxModelReader.ReadFile(Path.Combine(files.Folder, file)).Graph;
        var description = file.StartsWith("iris", StringComparison.Ordinal) ? IrisClassifier.Description : TextClassifier.Description;
        Assert.Equal(graph.Input.Select(v => v.Name), description.Inputs.Select(v => v.Name));
        Assert.Equal(graph.Output.Select(v => v.Name), description.Outputs.Select(v => v.Name));
        var dims = graph.Input.Concat(graph.Output).Select(v => string.Join(",", v.Type.TensorType.Shape.Dim.Select(d => d.DimParam is { Length: > 0 } p ? p : d.DimValue.ToString())));
        var described = description.Inputs.Concat(description.Outputs).Select(v => string.Join(",", v.Shape!.Select(d => d.Symbol ?? d.Value.ToString())));
        Assert.Equal(dims, described);
    }

    [Fact]
    public void Outputs_AreReadOnFirstUse_AndRefusedAfterDispose()
    {
        long[] ids = [1, 2, 3, 4], mask = [1, 1, 1, 0], segments = [0, 0, 1, 1];
        using var model = TextClassifier.Load(files.TextClassifier, ZooModelFiles.Options);
        var output = model.Run(new TextClassifierInput
        {
            InputIds = new DenseTensor<long>(ids, [1, 4]),
            AttentionMask = new DenseTensor<long>(mask, [1, 4]),
            TokenTypeIds = new DenseTensor<long>(segments, [1, 4]),
        });

        using var direct = new InferenceSession(files.TextClassifier);
        using var expected = direct.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, [1, 4])),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, [1, 4])),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(segments, [1, 4])),
        ]);
        Assert.Equal(expected.Single().AsTensor<float>().ToArray(), output.Logits.ToArray());
        Assert.Same(output.Logits, output.Logits);

        output.Dispose();
        Assert.Throws<ObjectDisposedException>(() => output.Logits);
    }

    private static TextClassifierInput Tokens(params long[] ids) => new()
    {
        InputIds = new DenseTensor<long>(ids, [1, ids.Length]),
        AttentionMask = new DenseTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), [1, ids.Length]),
        TokenTypeIds = new DenseTensor<long>(new long[ids.Length], [1, ids.Length]),
    };

    [Fact]
    public void DisposedOutputs_StayDisposed_WhileTheSessionReusesTheirResults()
    {
        using var model = TextClassifier.Load(files.TextClassifier, ZooModelFiles.Options);
        var first = model.Run(Tokens(1, 2, 3));
        float[] firstLogits = first.Logits.ToArray();
        var copy = first;
        first.Dispose();
        copy.Dispose();   // a second dispose, through a copy: nothing happens

        using var second = model.Run(Tokens(9, 8, 7, 6, 5));   // runs on the results object the first run had
        Assert.Throws<ObjectDisposedException>(() => first.Logits);
        Assert.Throws<ObjectDisposedException>(() => copy.Logits);
        Assert.NotEqual(firstLogits, second.Logits.ToArray());
        using var third = model.Run(Tokens(1, 2, 3));
        Assert.Equal(firstLogits, third.Logits.ToArray());
        Assert.NotEqual(firstLogits, second.Logits.ToArray());   // two live results at once: the second kept its own
        Assert.Throws<ObjectDisposedException>(() => default(TextClassifierOutput).Logits);
    }

    [Fact]
    public async Task AnInputThatDoesNotFit_LeavesTheNextRunUntouched()
    {
        using var model = TextClassifier.Load(files.TextClassifier, ZooModelFiles.Options);
        var wrong = Tokens(1, 2, 3);
        wrong = new TextClassifierInput { InputIds = wrong.InputIds, AttentionMask = new DenseTensor<long>(new long[3], [3]), TokenTypeIds = wrong.TokenTypeIds };
        Assert.Contains("'attention_mask'", Assert.Throws<ArgumentException>(() => model.Run(wrong)).Message);
        await Assert.ThrowsAsync<ArgumentException>(() => model.RunAsync(wrong));

        // The reused inputs start empty again (input_ids was added before attention_mask failed).
        using var sync = model.Run(Tokens(4, 5));
        using var async = await model.RunAsync(Tokens(4, 5));
        Assert.Equal(sync.Logits.ToArray(), async.Logits.ToArray());
    }
}
