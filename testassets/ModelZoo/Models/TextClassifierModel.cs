using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelZoo.Models;

/// <summary>
/// text-classifier.onnx: a tiny model with the three int64 inputs of a BERT-style classifier (input_ids,
/// attention_mask, token_type_ids, all [batch, sequence]) and one output, logits [batch, 2]: the masked mean of token
/// plus segment embeddings through a linear layer. Random weights; its use is the input and output shapes.
/// </summary>
public static class TextClassifierModel
{
    public const int Vocab = 64;
    public const int Hidden = 8;
    public const int Classes = 2;

    public static ModelProto Build()
    {
        var weights = new RandomWeights(seed: 7);
        var graph = new GraphProto { Name = "text_classifier" };
        TensorShapeProto.Types.Dimension[] tokens = [Dim("batch"), Dim("sequence")];
        graph.Input.Add(Value("input_ids", DataType.Int64, tokens, $"Token ids in [0, {Vocab})"));
        graph.Input.Add(Value("attention_mask", DataType.Int64, tokens, "1 for tokens to read, 0 for padding"));
        graph.Input.Add(Value("token_type_ids", DataType.Int64, tokens, "Segment of each token: 0 or 1"));
        graph.Output.Add(Value("logits", DataType.Float, [Dim("batch"), Dim(Classes)], "Unnormalized class scores"));

        graph.Initializer.Add(weights.Tensor("token_embeddings", [Vocab, Hidden], std: 0.5f));
        graph.Initializer.Add(weights.Tensor("segment_embeddings", [2, Hidden], std: 0.5f));
        graph.Initializer.Add(weights.Tensor("W", [Hidden, Classes], std: 0.5f));
        graph.Initializer.Add(Floats("B", [Classes], [0.1f, -0.1f]));
        graph.Initializer.Add(Int64s("sequence_axis", [1], [1]));
        graph.Initializer.Add(Int64s("last_axis", [1], [2]));

        graph.Node.Add(Node("Gather", "token_lookup", ["token_embeddings", "input_ids"], ["token_vectors"]));
        graph.Node.Add(Node("Gather", "segment_lookup", ["segment_embeddings", "token_type_ids"], ["segment_vectors"]));
        graph.Node.Add(Node("Add", "embed", ["token_vectors", "segment_vectors"], ["embedded"]));
        graph.Node.Add(Node("Cast", "mask_float", ["attention_mask"], ["mask"], Int("to", (long)DataType.Float)));
        graph.Node.Add(Node("Unsqueeze", "mask_column", ["mask", "last_axis"], ["mask3"]));
        graph.Node.Add(Node("Mul", "apply_mask", ["embedded", "mask3"], ["masked"]));
        graph.Node.Add(Node("ReduceSum", "sum_tokens", ["masked", "sequence_axis"], ["summed"], Int("keepdims", 0)));
        graph.Node.Add(Node("ReduceSum", "count_tokens", ["mask", "sequence_axis"], ["count"], Int("keepdims", 1)));
        graph.Node.Add(Node("Div", "mean", ["summed", "count"], ["pooled"]));
        graph.Node.Add(Node("MatMul", "classify", ["pooled", "W"], ["scores"]));
        graph.Node.Add(Node("Add", "classify_bias", ["scores", "B"], ["logits"]));

        return Model(graph, docString: "Three-input text classifier shape (BERT-style inputs), random weights.");
    }
}
