using Google.FlatBuffers;
using ModelBuild.Compiler.Tflite.Schema;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Tflite;

/// <summary>One TFLite operator being converted: its inputs, outputs and options, read through the graph builder.</summary>
internal sealed class TfliteOperator(TfliteGraphBuilder builder, Operator op, int index, BuiltinOperator code)
{
    public TfliteGraphBuilder Builder => builder;

    public BuiltinOperator Code => code;

    public int Index => index;

    public int[] Inputs { get; } = op.GetInputsArray() ?? [];

    public int[] Outputs { get; } = op.GetOutputsArray() ?? [];

    /// <summary>Whether optional input <paramref name="i"/> is given (TFLite marks a missing one -1).</summary>
    public bool Has(int i) => i < Inputs.Length && Inputs[i] >= 0;

    /// <summary>Input <paramref name="i"/> as a real value (dequantized).</summary>
    public string In(int i) => builder.Float(Input(i));

    /// <summary>Input <paramref name="i"/> as stored.</summary>
    public string Raw(int i) => builder.Value(Input(i));

    public int Input(int i) => Has(i) ? Inputs[i] : throw builder.Converter.Invalid($"operator {index} ({code}) lacks its input {i}");

    public Tensor InputTensor(int i) => builder.Tensor(Input(i));

    public int OutputIndex(int j) => j < Outputs.Length && Outputs[j] >= 0 ? Outputs[j] : throw builder.Converter.Invalid($"operator {index} ({code}) lacks its output {j}");

    public string Out(int j = 0, bool raw = false) => builder.Output(OutputIndex(j), raw);

    public int Rank(int i) => TfliteTensors.Shape(InputTensor(i)).Length;

    public long[] Ints(int i, string what) => builder.ConstantInts(Input(i), what);

    /// <summary>The operator's options table when it is of the expected kind (a file may claim any union type).</summary>
    public T? Options<T>(BuiltinOptions expected) where T : struct, IFlatbufferObject =>
        op.BuiltinOptionsType == expected ? op.BuiltinOptions<T>() : null;

    public ModelBuildException Unsupported(string what) =>
        new(TfliteErrorCodes.UnsupportedOperator,
            $"TensorFlow Lite model '{builder.Converter.Path}': operator {index} ({code}) uses {what}, which the converter does not support. " +
            "Re-export the model without it, or export the original model to ONNX (docs/formats.md).", builder.Converter.Path);
}
