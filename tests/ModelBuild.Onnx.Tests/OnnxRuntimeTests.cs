using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelZoo;
using ModelZoo.Models;

namespace ModelBuild.Onnx.Tests;

/// <summary>The zoo's models are real ONNX: ONNX Runtime loads and runs them with the expected results.</summary>
public sealed class OnnxRuntimeTests(ZooFixture zoo) : IClassFixture<ZooFixture>
{
    [Fact]
    public void IrisModelClassifiesTheTrainingSetAndAgreesWithTheCSharpForwardPass()
    {
        var data = IrisData.Load();
        var net = IrisClassifierModel.Network;
        int n = data.Features.Length;
        var input = new DenseTensor<float>(data.Features.SelectMany(f => f).ToArray(), [n, 4]);

        using var session = new InferenceSession(zoo.PathOf("iris-classifier.onnx"));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("features", input)]);
        var probabilities = results.Single(r => r.Name == "probabilities").AsTensor<float>();
        var labels = results.Single(r => r.Name == "label").AsTensor<long>();

        Assert.Equal([n, 3], probabilities.Dimensions.ToArray());
        Assert.Equal([n], labels.Dimensions.ToArray());
        int correct = Enumerable.Range(0, n).Count(i => labels[i] == data.Labels[i]);
        Assert.True(correct >= 143, $"ONNX Runtime accuracy {correct}/150 is below 95%.");

        for (int i = 0; i < n; i++)
        {
            float[] expected = net.Predict(data.Features[i]);
            for (int c = 0; c < 3; c++)
            {
                Assert.True(Math.Abs(expected[c] - probabilities[i, c]) < 1e-5f,
                    $"Row {i}, class {c}: C# {expected[c]}, ONNX Runtime {probabilities[i, c]}.");
            }

            Assert.Equal(net.Classify(data.Features[i]), labels[i]);
        }
    }

    [Fact]
    public void ExternalDataModelRunsWithItsSideFile()
    {
        float[] x = [1f, 2f, 3f, 4f];
        using var session = new InferenceSession(zoo.PathOf("external-data.onnx"));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [1, 4]))]);
        var y = results.Single().AsTensor<float>();

        for (int j = 0; j < 3; j++)
        {
            float expected = ExternalDataModel.Bias[j];
            for (int i = 0; i < 4; i++)
            {
                expected += x[i] * ExternalDataModel.Weights[i * 3 + j];
            }

            Assert.Equal(expected, y[0, j], 4);
        }
    }

    [Theory]
    [InlineData("awkward-names.onnx")]
    [InlineData("dynamic-dims.onnx")]
    [InlineData("hostile-doc.onnx")]
    public void TestModelsLoadInOnnxRuntime(string name)
    {
        var model = OnnxModelReader.ReadFile(zoo.PathOf(name));
        using var session = new InferenceSession(zoo.PathOf(name));
        Assert.Equal(model.Graph.Input.Select(i => i.Name), session.InputNames);
        Assert.Equal(model.Graph.Output.Select(o => o.Name), session.OutputNames);
    }
}
