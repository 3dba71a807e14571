using Google.Protobuf;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelZoo.Models;

/// <summary>Files that must be rejected by the reader, each for a different reason.</summary>
public static class InvalidFiles
{
    /// <summary>empty.onnx: zero bytes.</summary>
    public static byte[] Empty() => [];

    /// <summary>truncated.onnx: the iris model cut in half, inside its graph field.</summary>
    public static byte[] Truncated()
    {
        byte[] full = OnnxModelWriter.Serialize(IrisClassifierModel.Build());
        return full[..(full.Length / 2)];
    }

    /// <summary>random.onnx: 512 seeded pseudo-random bytes.</summary>
    public static byte[] Random()
    {
        var bytes = new byte[512];
        new SplitMix64(0x0DDBA11).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// not-a-model.onnx: a valid protobuf message of another type (a TensorProto). It parses as a
    /// ModelProto (dims land in ir_version) but has no graph and no opset_import.
    /// </summary>
    public static byte[] NotAModel()
    {
        var tensor = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[12]) };
        tensor.Dims.Add(3);
        return tensor.ToByteArray();
    }
}
