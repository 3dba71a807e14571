using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Ort;

/// <summary>How much of a mobile variant one accelerator takes: node counts and the operator types it leaves to the CPU.</summary>
/// <param name="Provider"><c>nnapi</c> or <c>coreml</c>.</param>
/// <param name="Nodes">Nodes of the main graph.</param>
/// <param name="Supported">Nodes whose operator type the provider's table lists.</param>
/// <param name="Unsupported">Operator types it does not list, with their node counts (<c>"Gather": 2</c>), by name.</param>
/// <param name="Source">Where the table comes from.</param>
internal sealed record ProviderSupportReport(string Provider, int Nodes, int Supported, IReadOnlyDictionary<string, int> Unsupported, string Source);

/// <summary>
/// Which nodes of a model ONNX Runtime's NNAPI and Core ML providers take, from the operator tables ONNX Runtime
/// publishes for them. Judged by operator type only: the tables' conditions (2-D only, constant weights) are not
/// checked, so a node counted here can still fall back to the CPU on the device.
/// </summary>
internal static class MobileProviderSupport
{
    /// <summary>microsoft/onnxruntime docs/execution-providers/NNAPI-ExecutionProvider.md (commit 13f16a26), "Supported ops".</summary>
    private static readonly HashSet<string> Nnapi =
    [
        "Abs", "Add", "AveragePool", "Cast", "Clip", "Concat", "Conv", "DequantizeLinear", "Div", "Elu", "Exp", "Flatten", "Floor",
        "Gemm", "GlobalAveragePool", "GlobalMaxPool", "Identity", "Log", "MatMul", "MaxPool", "Max", "Min", "Mul", "Neg", "Pow",
        "QLinearConv", "QLinearMatMul", "QuantizeLinear", "Relu", "Reshape", "Resize", "Sigmoid", "Sin", "Slice", "Softmax", "Sqrt",
        "Squeeze", "Sub", "Tanh", "Transpose", "com.microsoft:QLinearAdd", "com.microsoft:QLinearAveragePool", "com.microsoft:QLinearSigmoid",
    ];

    /// <summary>microsoft/onnxruntime docs/execution-providers/CoreML-ExecutionProvider.md (commit 0111a73c), "Supported ops".</summary>
    private static readonly HashSet<string> CoreMl =
    [
        "Add", "ArgMax", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Conv", "DepthToSpace", "Div", "Flatten", "Gemm",
        "GlobalAveragePool", "GlobalMaxPool", "LeakyRelu", "LRN", "MatMul", "MaxPool", "Mul", "Pad", "Pow", "PRelu", "Reciprocal",
        "ReduceSum", "Relu", "Reshape", "Resize", "Sigmoid", "Squeeze", "Sqrt", "Sub", "Tanh", "Transpose",
    ];

    public static IReadOnlyList<ProviderSupportReport> Analyze(ModelProto model) =>
    [
        Report("nnapi", Nnapi, model, "onnxruntime docs/execution-providers/NNAPI-ExecutionProvider.md"),
        Report("coreml", CoreMl, model, "onnxruntime docs/execution-providers/CoreML-ExecutionProvider.md"),
    ];

    private static ProviderSupportReport Report(string provider, HashSet<string> table, ModelProto model, string source)
    {
        var nodes = model.Graph.Node;
        var unsupported = nodes.Select(Key).Where(k => !table.Contains(k))
            .GroupBy(k => k, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new ProviderSupportReport(provider, nodes.Count, nodes.Count - unsupported.Values.Sum(), unsupported, source);
    }

    private static string Key(NodeProto node) => node.Domain is "" or "ai.onnx" ? node.OpType : $"{node.Domain}:{node.OpType}";
}
