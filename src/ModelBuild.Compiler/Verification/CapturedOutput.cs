using System.Globalization;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// One output of one run, copied out of ORT's memory and flattened for comparison. Floating-point elements go to
/// <see cref="Floats"/> (as double); integers and bools to <see cref="Integers"/>, strings to <see cref="Strings"/>
/// (both compared exactly). Sequences and maps (sklearn's ZipMap) are flattened in order, map keys then values;
/// <see cref="Layout"/> records the structure and every shape, so two outputs compare only when it is equal.
/// </summary>
internal sealed class CapturedOutput
{
    private CapturedOutput(string layout, double[] floats, Int128[] integers, string[] strings, long[]? floatTensorShape)
    {
        Layout = layout;
        Floats = floats;
        Integers = integers;
        Strings = strings;
        FloatTensorShape = floatTensorShape;
    }

    public string Layout { get; }
    public double[] Floats { get; }
    public Int128[] Integers { get; }
    public string[] Strings { get; }

    /// <summary>The shape when the output is one plain floating-point tensor (for top-1), else null.</summary>
    public long[]? FloatTensorShape { get; }

    /// <summary>True when the output holds no floating-point elements: it is compared exactly.</summary>
    public bool IsExact => Floats.Length == 0 && FloatTensorShape is null;

    public static CapturedOutput From(OrtValue value)
    {
        var layout = new StringBuilder();
        var floats = new List<double>();
        var integers = new List<Int128>();
        var strings = new List<string>();
        Append(value, layout, floats, integers, strings);
        long[]? shape = null;
        if (value.OnnxType == OnnxValueType.ONNX_TYPE_TENSOR)
        {
            var info = value.GetTensorTypeAndShape();
            if (SampleElementTypes.IsFloat(info.ElementDataType)) shape = info.Shape;
        }
        return new CapturedOutput(layout.ToString(), [.. floats], [.. integers], [.. strings], shape);
    }

    private static void Append(OrtValue value, StringBuilder layout, List<double> floats, List<Int128> integers, List<string> strings)
    {
        switch (value.OnnxType)
        {
            case OnnxValueType.ONNX_TYPE_TENSOR:
                var info = value.GetTensorTypeAndShape();
                layout.Append(info.ElementDataType).Append('[').AppendJoin(',', info.Shape).Append(']');
                AppendTensor(value, info.ElementDataType, floats, integers, strings);
                break;
            case OnnxValueType.ONNX_TYPE_SEQUENCE:
                int count = value.GetValueCount();
                layout.Append("seq(").Append(count.ToString(CultureInfo.InvariantCulture)).Append("){");
                for (int i = 0; i < count; i++)
                {
                    using OrtValue element = value.GetValue(i, OrtAllocator.DefaultInstance);
                    Append(element, layout, floats, integers, strings);
                    layout.Append(';');
                }
                layout.Append('}');
                break;
            case OnnxValueType.ONNX_TYPE_MAP:
                layout.Append("map{");
                using (OrtValue keys = value.GetValue(0, OrtAllocator.DefaultInstance))
                {
                    Append(keys, layout, floats, integers, strings);
                }
                layout.Append("->");
                using (OrtValue values = value.GetValue(1, OrtAllocator.DefaultInstance))
                {
                    Append(values, layout, floats, integers, strings);
                }
                layout.Append('}');
                break;
            default:
                // Optional/opaque/sparse outputs are rare; their presence is compared, their content is not.
                layout.Append(value.OnnxType);
                break;
        }
    }

    private static void AppendTensor(OrtValue value, TensorElementType type, List<double> floats, List<Int128> integers, List<string> strings)
    {
        switch (type)
        {
            case TensorElementType.Float: foreach (float x in value.GetTensorDataAsSpan<float>()) floats.Add(x); break;
            case TensorElementType.Double: foreach (double x in value.GetTensorDataAsSpan<double>()) floats.Add(x); break;
            case TensorElementType.Float16: foreach (Float16 x in value.GetTensorDataAsSpan<Float16>()) floats.Add(x.ToFloat()); break;
            case TensorElementType.BFloat16: foreach (BFloat16 x in value.GetTensorDataAsSpan<BFloat16>()) floats.Add(x.ToFloat()); break;
            case TensorElementType.Int8: foreach (sbyte x in value.GetTensorDataAsSpan<sbyte>()) integers.Add(x); break;
            case TensorElementType.UInt8: foreach (byte x in value.GetTensorDataAsSpan<byte>()) integers.Add(x); break;
            case TensorElementType.Int16: foreach (short x in value.GetTensorDataAsSpan<short>()) integers.Add(x); break;
            case TensorElementType.UInt16: foreach (ushort x in value.GetTensorDataAsSpan<ushort>()) integers.Add(x); break;
            case TensorElementType.Int32: foreach (int x in value.GetTensorDataAsSpan<int>()) integers.Add(x); break;
            case TensorElementType.UInt32: foreach (uint x in value.GetTensorDataAsSpan<uint>()) integers.Add(x); break;
            case TensorElementType.Int64: foreach (long x in value.GetTensorDataAsSpan<long>()) integers.Add(x); break;
            case TensorElementType.UInt64: foreach (ulong x in value.GetTensorDataAsSpan<ulong>()) integers.Add(x); break;
            case TensorElementType.Bool: foreach (bool x in value.GetTensorDataAsSpan<bool>()) integers.Add(x ? 1 : 0); break;
            case TensorElementType.String: strings.AddRange(value.GetStringTensorAsArray()); break;
            default: break; // complex and newer types: only the layout (type and shape) is compared
        }
    }
}
