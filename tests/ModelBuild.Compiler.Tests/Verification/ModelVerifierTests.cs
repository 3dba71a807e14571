using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Verification;

public sealed class ModelVerifierTests
{
    [Theory]
    [InlineData(new double[] { 1, 0 }, new double[] { 0, 1 }, 0.0, 1.0)]
    [InlineData(new double[] { 1, 2, 3 }, new double[] { 2, 4, 6 }, 1.0, 3.0)]
    [InlineData(new double[] { 1, 2, 3 }, new double[] { -1, -2, -3 }, -1.0, 6.0)]
    [InlineData(new double[] { 3, 4 }, new double[] { 4, 3 }, 0.96, 1.0)]          // 24 / 25
    [InlineData(new double[] { 0, 0 }, new double[] { 0, 0 }, 1.0, 0.0)]           // both zero: same
    [InlineData(new double[] { 0, 0 }, new double[] { 0, 1e-3 }, 0.0, 1e-3)]       // one zero: no direction in common
    [InlineData(new double[] { 1e300, 1e300 }, new double[] { 1e300, 1e300 }, 1.0, 0.0)] // scaled: no overflow
    public void Cosine_and_max_abs_of_known_vectors(double[] reference, double[] actual, double cosine, double maxAbs)
    {
        var (c, m) = OutputComparer.CompareFloats(reference, actual);
        Assert.Equal(cosine, c, 12);
        Assert.Equal(maxAbs, m, 12);
    }

    [Fact]
    public void NaN_and_infinity_agree_only_in_the_same_place()
    {
        Assert.Equal((1.0, 0.0), OutputComparer.CompareFloats([1, double.NaN, double.PositiveInfinity], [1, double.NaN, double.PositiveInfinity]));
        Assert.Equal((0.0, double.PositiveInfinity), OutputComparer.CompareFloats([1, double.NaN], [1, 2]));
        Assert.Equal((0.0, double.PositiveInfinity), OutputComparer.CompareFloats([1, 2], [1, double.NaN]));
        Assert.Equal((0.0, double.PositiveInfinity), OutputComparer.CompareFloats([1, double.PositiveInfinity], [1, double.NegativeInfinity]));
    }

    [Fact]
    public void Top1_compares_the_arg_max_of_each_row()
    {
        double[] reference = [0.1, 0.7, 0.2, /**/ 0.5, 0.3, 0.2, /**/ 0.3, 0.3, 0.4];
        double[] actual = [0.2, 0.6, 0.2, /**/ 0.3, 0.5, 0.2, /**/ 0.1, 0.1, 0.8];
        Assert.Equal((3L, 2L), OutputComparer.Top1(reference, actual, 3));
        Assert.Equal(0, OutputComparer.ArgMax([2, 2, 1]));              // first of equal maxima
        Assert.Equal(1, OutputComparer.ArgMax([double.NaN, 1, 0]));     // NaN never wins
        Assert.Equal(-1, OutputComparer.ArgMax([double.NaN, double.NaN]));
    }

    [Fact]
    public void A_model_against_itself_agrees_exactly()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);
        string path = temp.File("iris-classifier.onnx");
        var samples = SampleInputGenerator.Generate(OnnxModelReader.ReadFile(path), 4, seed: 2);
        var before = temp.Entries().Order(StringComparer.Ordinal).ToList();

        using var verifier = new ModelVerifier(path, samples, latencyRuns: 3);
        VerificationResult result = verifier.Verify(path);

        Assert.Equal(["probabilities", "label"], result.Outputs.Select(o => o.Output));
        OutputMetrics probabilities = result.Outputs[0], label = result.Outputs[1];
        Assert.Equal((1.0, 0.0, 1.0), (probabilities.Cosine, probabilities.MaxAbsError, probabilities.Top1Agreement));
        Assert.Null(probabilities.ExactMatch);
        Assert.Equal((1.0, 0.0, null, 1.0), (label.Cosine, label.MaxAbsError, label.Top1Agreement, label.ExactMatch));
        Assert.True(double.IsFinite(result.MedianMilliseconds) && double.IsFinite(verifier.OriginalMedianMilliseconds));

        // Verification writes nothing next to the model (no optimized model, no profile).
        Assert.Equal(before, temp.Entries().Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void A_perturbed_copy_is_detected()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);
        string path = temp.File("iris-classifier.onnx");
        ModelProto model = OnnxModelReader.ReadFile(path);

        // Swap the output biases: probabilities move, some labels flip.
        ModelProto perturbed = model.Clone();
        TensorProto bias = perturbed.Graph.Initializer.Single(t => t.Name == "B2");
        float[] b = ModelZoo.Models.IrisClassifierModel.Network.B2;
        perturbed.Graph.Initializer[perturbed.Graph.Initializer.IndexOf(bias)] = Floats("B2", [3], [b[2] + 3, b[0], b[1] - 3]);
        OnnxModelWriter.WriteFile(perturbed, temp.File("perturbed.onnx"));

        // Realistic iris measurements (cm) rather than N(0, 1): sepal/petal sizes around the data's means.
        var samples = SampleInputGenerator.Generate(model, 8, seed: 4).Select(s => new SampleSet([s.Inputs[0] with
        {
            Data = ((float[])s.Inputs[0].Data).Select((v, i) => new[] { 5.8f, 3.0f, 3.8f, 1.2f }[i % 4] + v * new[] { 0.8f, 0.4f, 1.7f, 0.7f }[i % 4]).ToArray(),
        }])).ToList();
        using var verifier = new ModelVerifier(path, samples, latencyRuns: 1);
        VerificationResult result = verifier.Verify(temp.File("perturbed.onnx"));

        OutputMetrics probabilities = result.Outputs[0], label = result.Outputs[1];
        Assert.True(probabilities.Cosine < 0.99, $"cosine {probabilities.Cosine}");
        Assert.True(probabilities.MaxAbsError > 0.01, $"max abs {probabilities.MaxAbsError}");
        Assert.True(probabilities.Top1Agreement < 1, $"top-1 {probabilities.Top1Agreement}");
        Assert.Equal(0, label.Cosine);
        Assert.True(label.ExactMatch < 1);
        Assert.Equal(probabilities.Top1Agreement, label.ExactMatch); // label is the arg-max of probabilities
    }

    [Fact]
    public void A_variant_without_an_output_or_with_other_inputs_is_reported()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);
        string path = temp.File("iris-classifier.onnx");
        ModelProto model = OnnxModelReader.ReadFile(path);
        ModelProto fewer = model.Clone();
        fewer.Graph.Output.RemoveAt(1);
        OnnxModelWriter.WriteFile(fewer, temp.File("fewer.onnx"));

        using var verifier = new ModelVerifier(path, SampleInputGenerator.Generate(model, 1, 1), latencyRuns: 1);
        var e = Assert.Throws<ModelToolException>(() => verifier.Verify(temp.File("fewer.onnx")));
        Assert.Equal(ToolErrorCodes.VariantSignatureMismatch, e.Code);
        Assert.Contains("no output 'label'", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(temp.File("broken.onnx"), [1, 2, 3]);
        e = Assert.Throws<ModelToolException>(() => verifier.Verify(temp.File("broken.onnx")));
        Assert.Equal(ToolErrorCodes.VerificationRunFailed, e.Code);
    }

    [Fact]
    public void Samples_that_do_not_fit_the_original_are_reported()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);
        var wrong = new SampleSet([new SampleTensor("other", Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, [1, 4], new float[4])]);
        var e = Assert.Throws<ModelToolException>(() => new ModelVerifier(temp.File("iris-classifier.onnx"), [wrong], 1));
        Assert.Equal(ToolErrorCodes.SampleInvalid, e.Code);
        Assert.Contains("missing 'features'", e.Message, StringComparison.Ordinal);
        Assert.Contains("not inputs of the model: 'other'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_shapes_count_as_a_failed_output()
    {
        // y = x (shape [2]) in one model, y = Concat(x, x) (shape [4]) in the other.
        ModelProto Build(bool doubled)
        {
            var graph = new GraphProto { Name = "g" };
            graph.Input.Add(Value("x", DataType.Float, [Dim(2)]));
            graph.Output.Add(Value("y", DataType.Float, null));
            graph.Node.Add(doubled ? Node("Concat", "c", ["x", "x"], ["y"], Int("axis", 0)) : Node("Identity", "i", ["x"], ["y"]));
            return Model(graph);
        }

        using var temp = new TempFolder();
        OnnxModelWriter.WriteFile(Build(false), temp.File("a.onnx"));
        OnnxModelWriter.WriteFile(Build(true), temp.File("b.onnx"));
        using var verifier = new ModelVerifier(temp.File("a.onnx"), SampleInputGenerator.Generate(Build(false), 2, 1), 1);
        OutputMetrics y = verifier.Verify(temp.File("b.onnx")).Outputs.Single();
        Assert.Equal((0.0, double.PositiveInfinity), (y.Cosine, y.MaxAbsError));
    }
}
