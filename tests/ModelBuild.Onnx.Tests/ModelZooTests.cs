using ModelBuild.Onnx.Protos;
using ModelZoo;
using ModelZoo.Models;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Onnx.Tests;

public sealed class ModelZooTests(ZooFixture zoo) : IClassFixture<ZooFixture>
{
    [Fact]
    public void WritingTwiceGivesByteIdenticalFiles()
    {
        using var again = new TempFolder();
        Zoo.WriteAll(again.Path);

        var first = Directory.GetFiles(zoo.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var second = Directory.GetFiles(again.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(first, second);
        Assert.Equal(Zoo.Names.Count + 1, first.Count); // + external-data.onnx.data
        foreach (string name in first!)
        {
            Assert.True(File.ReadAllBytes(zoo.PathOf(name!)).AsSpan().SequenceEqual(File.ReadAllBytes(again.File(name!))),
                $"{name} differs between two runs of the model zoo.");
        }
    }

    [Fact]
    public void ZooExecutableInAnotherProcessWritesTheSameBytes()
    {
        // A fresh process trains the network again, so this also checks run-to-run determinism.
        using var output = new TempFolder();
        string zooDll = Path.Combine(AppContext.BaseDirectory, "ModelZoo.dll");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new System.Diagnostics.ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "exec", zooDll, output.Path }) start.ArgumentList.Add(arg);

        using var process = System.Diagnostics.Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "ModelZoo did not finish within 2 minutes.");
        Assert.True(process.ExitCode == 0, $"ModelZoo exited with {process.ExitCode}:\n{stdout}\n{stderr}");

        foreach (string file in Directory.GetFiles(zoo.Folder))
        {
            string name = Path.GetFileName(file);
            Assert.True(File.ReadAllBytes(file).AsSpan().SequenceEqual(File.ReadAllBytes(output.File(name))),
                $"{name} written by the ModelZoo executable differs from the one written in-process.");
        }
    }

    [Fact]
    public void TrainingIsDeterministic()
    {
        var a = IrisNetwork.Train(IrisData.Load());
        var b = IrisNetwork.Train(IrisData.Load());
        Assert.Equal(a.W1, b.W1);
        Assert.Equal(a.W2, b.W2);
        Assert.Equal(a.B2, b.B2);
    }

    [Fact]
    public void UnknownNameIsRefused()
    {
        using var folder = new TempFolder();
        var ex = Assert.Throws<ArgumentException>(() => Zoo.Write("no-such-model", folder.Path));
        Assert.Contains("iris-classifier.onnx", ex.Message, StringComparison.Ordinal);
        Zoo.Write("dynamic-dims", folder.Path); // the extension is optional
        Assert.True(File.Exists(folder.File("dynamic-dims.onnx")));
    }

    [Fact]
    public void IrisDataIsTheComplete150RowSet()
    {
        var data = IrisData.Load();
        Assert.Equal(150, data.Features.Length);
        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(50, data.Labels.Count(l => l == c)));
        Assert.Equal([5.1f, 3.5f, 1.4f, 0.2f], data.Features[0]);
        Assert.Equal([5.9f, 3.0f, 5.1f, 1.8f], data.Features[149]);
    }

    [Fact]
    public void CSharpForwardPassClassifiesTheTrainingSet()
    {
        var data = IrisData.Load();
        var net = IrisClassifierModel.Network;
        int correct = Enumerable.Range(0, data.Features.Length).Count(i => net.Classify(data.Features[i]) == data.Labels[i]);
        Assert.True(correct >= 143, $"Training accuracy {correct}/150 is below 95%.");
    }

    [Fact]
    public void IrisModelHasTheDocumentedSignature()
    {
        var model = OnnxModelReader.ReadFile(zoo.PathOf("iris-classifier.onnx"));

        Assert.Equal(8, model.IrVersion);
        Assert.Equal(("", 13L), (model.OpsetImport.Single().Domain, model.OpsetImport.Single().Version));
        Assert.Equal("ModelBuild.ModelZoo", model.ProducerName);
        Assert.Equal("setosa,versicolor,virginica", model.MetadataProps.Single(p => p.Key == "labels").Value);

        var input = model.Graph.Input.Single();
        Assert.Equal("features", input.Name);
        Assert.Equal("Sepal length, sepal width, petal length, petal width in cm", input.DocString);
        AssertTensor(input, DataType.Float, "batch", 4);

        Assert.Equal(["probabilities", "label"], model.Graph.Output.Select(o => o.Name));
        Assert.Equal("Class probabilities: setosa, versicolor, virginica", model.Graph.Output[0].DocString);
        AssertTensor(model.Graph.Output[0], DataType.Float, "batch", 3);
        AssertTensor(model.Graph.Output[1], DataType.Int64, "batch");
        Assert.Equal(["Sub", "Div", "MatMul", "Add", "Relu", "MatMul", "Add", "Softmax", "ArgMax"],
            model.Graph.Node.Select(n => n.OpType));
    }

    [Fact]
    public void TestModelsHaveTheirAwkwardFeatures()
    {
        var awkward = OnnxModelReader.ReadFile(zoo.PathOf("awkward-names.onnx"));
        Assert.Equal(["input.1", "class", "0", "a/b:0", "foo_bar", "foo.bar"], awkward.Graph.Input.Select(i => i.Name));
        Assert.Equal(5, awkward.Graph.Input.Select(i => i.Type.TensorType.ElemType).Distinct().Count());

        var dynamic = OnnxModelReader.ReadFile(zoo.PathOf("dynamic-dims.onnx"));
        var dims = dynamic.Graph.Input[0].Type.TensorType.Shape.Dim;
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, dims[0].ValueCase);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam, dims[1].ValueCase);
        Assert.Equal(TensorShapeProto.Types.Dimension.ValueOneofCase.None, dims[2].ValueCase);
        Assert.Null(dynamic.Graph.Input[1].Type.TensorType.Shape);

        var hostile = OnnxModelReader.ReadFile(zoo.PathOf("hostile-doc.onnx"));
        Assert.Equal("x\r\ny", hostile.Graph.Input[0].Name);
        foreach (string needle in new[] { "*/", "\n#error x", "</summary>", "\u2028", "\"", "\\" })
        {
            Assert.Contains(needle, hostile.Graph.Input[0].DocString, StringComparison.Ordinal);
        }
    }

    private static void AssertTensor(ValueInfoProto value, DataType type, params object[] dims)
    {
        Assert.Equal((int)type, value.Type.TensorType.ElemType);
        var actual = value.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? (object)d.DimParam : d.DimValue).ToList();
        Assert.Equal(dims.Select(d => d is int i ? (object)(long)i : d), actual);
    }
}
