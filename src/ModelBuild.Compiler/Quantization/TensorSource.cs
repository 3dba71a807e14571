using System.Buffers.Binary;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Where the transforms get a constant's floats: from the tensor itself (<see cref="TensorData"/>), or, for a large
/// model's external tensors, from its data file on demand, one tensor at a time, through ModelBuild.Onnx's checked
/// external-data rules. A tensor read this way stays external in the model: only what a transform writes is new.
/// </summary>
internal sealed class TensorSource
{
    private readonly Dictionary<TensorProto, ExternalDataReference> _external;

    private TensorSource(Dictionary<TensorProto, ExternalDataReference> external) => _external = external;

    /// <summary>Tensors with their data in the model only (external tensors were inlined or are not read).</summary>
    public static TensorSource Inline { get; } = new([]);

    /// <summary>Also reads the external tensors of <paramref name="model"/>, resolved against <paramref name="directory"/>.</summary>
    public static TensorSource External(ModelProto model, string directory) =>
        new(OnnxExternalData.Enumerate(model, directory)
            .ToDictionary<ExternalDataReference, TensorProto, ExternalDataReference>(r => r.Tensor, r => r, ReferenceEqualityComparer.Instance));

    /// <summary>A float tensor whose data can be read here and is consistent with its dims.</summary>
    public bool IsReadableFloat(TensorProto tensor)
    {
        if (!_external.TryGetValue(tensor, out ExternalDataReference? reference))
        {
            return TensorData.IsReadableFloat(tensor);
        }
        long count = TensorData.ElementCount(tensor);
        return tensor.DataType == (int)DataType.Float && tensor.Segment is null
            && count >= 0 && count <= int.MaxValue / sizeof(float) && reference.Length == count * sizeof(float);
    }

    public float[] ReadFloats(TensorProto tensor)
    {
        if (!_external.TryGetValue(tensor, out ExternalDataReference? reference))
        {
            return TensorData.ReadFloats(tensor);
        }
        if (!IsReadableFloat(tensor)) throw new InvalidOperationException("Not a readable float tensor.");
        byte[] raw = OnnxExternalData.Read(reference);
        var values = new float[raw.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * sizeof(float)));
        }
        return values;
    }
}
