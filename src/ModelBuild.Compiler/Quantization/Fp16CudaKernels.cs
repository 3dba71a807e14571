namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Default-domain ops that ONNX Runtime's CUDA execution provider runs on float16 tensors, with the opsets of the
/// kernels that take float16. An fp16 node without such a kernel is placed on the CPU, and ONNX Runtime copies its
/// inputs and outputs between GPU and host around it (Memcpy nodes), which measured 2.8x slower than fp32 on a GPU
/// (docs/compilation.md); the cuda fp16 form keeps such ops fp32 on the GPU instead.
/// </summary>
/// <remarks>
/// Source: ONNX Runtime <c>docs/OperatorKernels.md</c> ("Operators implemented by CUDAExecutionProvider", generated
/// from the registered kernels), commit 001d12d2623fd411ce0f83d05abb5e82304a3389 of microsoft/onnxruntime (kernels up
/// to opset 25; read 2026-12-04 for ONNX Runtime 1.31/1.32). Only ops whose main type constraint lists
/// <c>tensor(float16)</c> are here; an entry's range is the opsets of those kernels (e.g. Clip takes float16 from
/// opset 12: its opset 6-11 kernels are float only). Constant is no kernel: ONNX Runtime makes it an initializer.
/// </remarks>
internal static class Fp16CudaKernels
{
    public const string Source = "ONNX Runtime docs/OperatorKernels.md (CUDAExecutionProvider) at microsoft/onnxruntime@001d12d";

    private const int Open = int.MaxValue;

    private static readonly Dictionary<string, (int From, int To)> Kernels = new(StringComparer.Ordinal)
    {
        ["Abs"] = (6, Open), ["Add"] = (7, Open), ["Affine"] = (1, Open), ["ArgMax"] = (1, Open), ["ArgMin"] = (1, Open),
        ["Attention"] = (23, Open), ["AveragePool"] = (7, Open), ["BatchNormalization"] = (7, Open), ["Cast"] = (6, Open),
        ["Ceil"] = (6, Open), ["Clip"] = (12, Open), ["Compress"] = (9, Open), ["Concat"] = (4, Open),
        ["ConcatFromSequence"] = (11, Open), ["Constant"] = (1, Open), ["ConstantOfShape"] = (9, Open), ["Conv"] = (1, Open),
        ["ConvTranspose"] = (1, Open), ["Cos"] = (7, Open), ["Crop"] = (1, Open), ["CumSum"] = (14, Open),
        ["DepthToSpace"] = (1, Open), ["DequantizeLinear"] = (19, Open), ["Div"] = (7, Open), ["Dropout"] = (7, Open),
        ["Einsum"] = (12, Open), ["Elu"] = (6, Open), ["Equal"] = (11, Open), ["Erf"] = (9, Open), ["Exp"] = (6, Open),
        ["Expand"] = (8, Open), ["Flatten"] = (1, Open), ["Floor"] = (6, Open), ["GRU"] = (7, Open), ["Gather"] = (1, Open),
        ["GatherElements"] = (11, Open), ["GatherND"] = (11, Open), ["Gelu"] = (20, Open), ["Gemm"] = (7, Open),
        ["GlobalAveragePool"] = (1, Open), ["GlobalMaxPool"] = (1, Open), ["Greater"] = (7, Open), ["GreaterOrEqual"] = (12, Open),
        ["HardSigmoid"] = (6, Open), ["HardSwish"] = (14, Open), ["Identity"] = (1, Open), ["If"] = (1, Open),
        ["ImageScaler"] = (1, Open), ["InstanceNormalization"] = (6, Open), ["IsInf"] = (20, Open), ["IsNaN"] = (9, Open),
        ["LRN"] = (1, Open), ["LSTM"] = (7, Open), ["LayerNormalization"] = (1, Open), ["LeakyRelu"] = (6, Open),
        ["Less"] = (7, Open), ["LessOrEqual"] = (12, Open), ["Log"] = (6, Open), ["LogSoftmax"] = (1, Open), ["Loop"] = (1, Open),
        ["MatMul"] = (1, Open), ["Max"] = (6, Open), ["MaxPool"] = (1, Open), ["Min"] = (6, Open), ["Mod"] = (10, Open),
        ["Mul"] = (7, Open), ["Neg"] = (6, Open), ["NonZero"] = (9, Open), ["OneHot"] = (11, Open), ["PRelu"] = (7, Open),
        ["Pad"] = (2, Open), ["ParametricSoftplus"] = (1, Open), ["Pow"] = (7, Open), ["QuantizeLinear"] = (19, Open),
        ["RMSNormalization"] = (23, Open), ["RNN"] = (7, Open), ["RandomNormal"] = (1, Open), ["RandomNormalLike"] = (1, Open),
        ["RandomUniform"] = (1, Open), ["RandomUniformLike"] = (1, Open), ["Reciprocal"] = (6, Open), ["ReduceL1"] = (1, Open),
        ["ReduceL2"] = (1, Open), ["ReduceLogSum"] = (1, Open), ["ReduceLogSumExp"] = (1, Open), ["ReduceMax"] = (1, Open),
        ["ReduceMean"] = (1, Open), ["ReduceMin"] = (1, Open), ["ReduceProd"] = (1, Open), ["ReduceSum"] = (1, Open),
        ["ReduceSumSquare"] = (1, Open), ["Relu"] = (6, Open), ["Reshape"] = (1, Open), ["Resize"] = (10, Open),
        ["ReverseSequence"] = (10, Open), ["RotaryEmbedding"] = (23, Open), ["Round"] = (11, Open), ["ScaledTanh"] = (1, Open),
        ["Scan"] = (8, Open), ["Scatter"] = (9, 10), ["ScatterElements"] = (11, Open), ["ScatterND"] = (11, Open),
        ["Selu"] = (6, Open), ["SequenceAt"] = (11, Open), ["SequenceConstruct"] = (11, Open), ["SequenceErase"] = (11, Open),
        ["SequenceInsert"] = (11, Open), ["Shape"] = (1, Open), ["Shrink"] = (9, Open), ["Sigmoid"] = (6, Open),
        ["Sign"] = (13, Open), ["Sin"] = (7, Open), ["Size"] = (1, Open), ["Slice"] = (1, Open), ["Softmax"] = (1, Open),
        ["Softplus"] = (1, Open), ["Softsign"] = (1, Open), ["SpaceToDepth"] = (1, Open), ["Split"] = (2, Open),
        ["Sqrt"] = (6, Open), ["Squeeze"] = (1, Open), ["Sub"] = (7, Open), ["Sum"] = (6, Open), ["Tanh"] = (6, Open),
        ["TensorScatter"] = (24, Open), ["ThresholdedRelu"] = (1, Open), ["Tile"] = (6, Open), ["TopK"] = (1, Open),
        ["Transpose"] = (1, Open), ["Trilu"] = (14, Open), ["Unsqueeze"] = (1, Open), ["Upsample"] = (7, 9), ["Where"] = (9, Open),
    };

    /// <summary>Whether the CUDA provider has a float16 kernel for a default-domain op at the model's opset.</summary>
    public static bool Has(string opType, long opset) =>
        Kernels.TryGetValue(opType, out var range) && opset >= range.From && opset <= range.To;
}
