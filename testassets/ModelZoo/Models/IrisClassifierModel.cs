using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelZoo.Models;

/// <summary>iris-classifier.onnx: the trained <see cref="IrisNetwork"/> as an opset-13 graph.</summary>
public static class IrisClassifierModel
{
    private static readonly Lazy<IrisNetwork> Trained = new(() => IrisNetwork.Train(IrisData.Load()));

    /// <summary>The network the model is built from (trained once per process).</summary>
    public static IrisNetwork Network => Trained.Value;

    public static ModelProto Build()
    {
        IrisNetwork net = Network;
        var graph = new GraphProto { Name = "iris" };
        graph.Input.Add(Value("features", DataType.Float, [Dim("batch"), Dim(IrisNetwork.Inputs)],
            "Sepal length, sepal width, petal length, petal width in cm"));
        graph.Output.Add(Value("probabilities", DataType.Float, [Dim("batch"), Dim(IrisNetwork.Classes)],
            "Class probabilities: setosa, versicolor, virginica"));
        graph.Output.Add(Value("label", DataType.Int64, [Dim("batch")],
            "Index of the most probable class: 0 setosa, 1 versicolor, 2 virginica"));

        graph.Initializer.Add(Floats("mean", [IrisNetwork.Inputs], net.Mean));
        graph.Initializer.Add(Floats("std", [IrisNetwork.Inputs], net.Std));
        graph.Initializer.Add(Floats("W1", [IrisNetwork.Inputs, IrisNetwork.Hidden], net.W1));
        graph.Initializer.Add(Floats("B1", [IrisNetwork.Hidden], net.B1));
        graph.Initializer.Add(Floats("W2", [IrisNetwork.Hidden, IrisNetwork.Classes], net.W2));
        graph.Initializer.Add(Floats("B2", [IrisNetwork.Classes], net.B2));

        graph.Node.Add(Node("Sub", "center", ["features", "mean"], ["centered"]));
        graph.Node.Add(Node("Div", "scale", ["centered", "std"], ["standardized"]));
        graph.Node.Add(Node("MatMul", "fc1", ["standardized", "W1"], ["fc1_out"]));
        graph.Node.Add(Node("Add", "fc1_bias", ["fc1_out", "B1"], ["fc1_biased"]));
        graph.Node.Add(Node("Relu", "relu", ["fc1_biased"], ["hidden"]));
        graph.Node.Add(Node("MatMul", "fc2", ["hidden", "W2"], ["fc2_out"]));
        graph.Node.Add(Node("Add", "fc2_bias", ["fc2_out", "B2"], ["logits"]));
        graph.Node.Add(Node("Softmax", "softmax", ["logits"], ["probabilities"], Int("axis", -1)));
        graph.Node.Add(Node("ArgMax", "argmax", ["probabilities"], ["label"], Int("axis", 1), Int("keepdims", 0)));

        var model = Model(graph, docString: "Iris species classifier (MLP 4-16-3) trained by ModelBuild's model zoo.");
        model.MetadataProps.Add(new StringStringEntryProto { Key = "labels", Value = string.Join(",", IrisData.Species) });
        return model;
    }
}
