using ModelBuild.Onnx.Protos;

namespace ModelBuild.Onnx;

/// <summary>One tensor whose bytes live in a side file, with its location checked and resolved.</summary>
/// <param name="Tensor">The tensor inside the model (data_location EXTERNAL).</param>
/// <param name="FullPath">Absolute path of the side file, inside the model's folder.</param>
/// <param name="RelativeLocation">The "location" entry exactly as written in the model.</param>
/// <param name="Offset">First byte of the tensor in the side file.</param>
/// <param name="Length">Number of bytes (the rest of the file when the model gives no "length").</param>
public sealed record ExternalDataReference(TensorProto Tensor, string FullPath, string RelativeLocation, long Offset, long Length);
