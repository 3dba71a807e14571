using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Runtime.Tests;

/// <summary>The runtime over the shared test models of testassets/ModelZoo.</summary>
public sealed class ZooModelTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mbrt-zoo-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private (string Path, ModelDescription Description) WriteZooModel(string name)
    {
        string assetFolder = Path.Combine(_folder, "models", "Zoo");
        ModelZoo.Zoo.Write(name, assetFolder);
        string path = Path.Combine(assetFolder, name);
        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        return (path, TestModels.Describe(proto, $"models/Zoo/{name}", TestModels.Sha256(path)));
    }

    [Fact]
    public void IrisClassifier_RunsAndMatchesDirectInferenceSession()
    {
        var (path, description) = WriteZooModel("iris-classifier.onnx");
        Assert.Equal(["features"], description.Inputs.Select(i => i.Name));
        Assert.Equal(["probabilities", "label"], description.Outputs.Select(o => o.Name));

        float[] data = [5.1f, 3.5f, 1.4f, 0.2f, 6.3f, 3.3f, 6.0f, 2.5f];
        using var direct = new InferenceSession(path);
        using var expected = direct.Run([NamedOnnxValue.CreateFromTensor("features", new DenseTensor<float>(data.ToArray(), [2, 4]))]);

        using var session = ModelSession.Load(description, null, new ModelOptions { BaseDirectory = _folder });
        using var inputs = new ModelInputs(description);
        inputs.Add(0, new DenseTensor<float>(data, [2, 4]));
        using var results = session.Run(inputs);

        Assert.Equal(expected.Single(v => v.Name == "probabilities").AsTensor<float>().ToArray(), results.GetTensor<float>(0).ToArray());
        Assert.Equal(expected.Single(v => v.Name == "label").AsTensor<long>().ToArray(), results.GetTensor<long>(1).ToArray());
        Assert.Equal(2.0f, results.GetTensor<float>(0).Sum(), 4);

        var ex = Assert.Throws<ArgumentException>(() => new ModelInputs(description).Add(0, new DenseTensor<float>([1, 5])));
        Assert.StartsWith("Input 'features' expects shape [batch, 4] but got [1, 5].", ex.Message);
    }

    [Fact]
    public void ExternalData_ResolvesNextToTheModelFile_NotTheWorkingDirectory()
    {
        var (path, description) = WriteZooModel("external-data.onnx");
        string cwd = Environment.CurrentDirectory;
        Assert.NotEqual(Path.GetDirectoryName(path), cwd);

        using var session = ModelSession.Load(description, path, null);
        Assert.Equal(path, session.ModelPath);

        // y = x·W + B with W and B read from the side file.
        float[] x = [1, 2, 3, 4];
        using var inputs = new ModelInputs(description);
        inputs.Add(0, new DenseTensor<float>(x, [1, 4]));
        using var results = session.Run(inputs);
        var w = ModelZoo.Models.ExternalDataModel.Weights;
        var b = ModelZoo.Models.ExternalDataModel.Bias;
        float[] expected = Enumerable.Range(0, 3).Select(j => b[j] + Enumerable.Range(0, 4).Sum(k => x[k] * w[(k * 3) + j])).ToArray();
        Assert.Equal(expected, results.GetTensor<float>(0).ToArray());
    }
}
