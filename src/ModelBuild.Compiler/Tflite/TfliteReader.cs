using Google.FlatBuffers;
using ModelBuild.Compiler.Tflite.Schema;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Tflite;

/// <summary>
/// Reads a TensorFlow Lite file that may come from anywhere and converts it to ONNX: the same size limit as the
/// ONNX reader, the whole flatbuffer verified before it is read, and every failure a <see cref="ModelBuildException"/>
/// with an MB11xx code naming the file, never a stack trace.
/// </summary>
internal static class TfliteReader
{
    public static ModelProto ReadFile(string path, OnnxReadLimits? limits = null) => ReadFile(path, out _, limits);

    /// <summary>Reads and converts the file; <paramref name="sha256"/> is the hash of the bytes read (the file is read once).</summary>
    public static ModelProto ReadFile(string path, out string sha256, OnnxReadLimits? limits = null)
    {
        limits ??= OnnxReadLimits.Default;
        byte[] bytes = ReadBytes(path, limits);
        sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        if (!TfliteVerifier.Verify(bytes))
        {
            throw new ModelBuildException(TfliteErrorCodes.Malformed,
                $"TensorFlow Lite model '{path}' is not a valid TFLite flatbuffer (truncated, or a table, vector or string lies outside " +
                "the file). Re-export or re-download the model.", path);
        }
        try
        {
            return new TfliteConverter(Model.GetRootAsModel(new ByteBuffer(bytes)), path).Convert();
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidOperationException or OverflowException)
        {
            // The verifier checks structure; a scalar read past the end or an absurd size still lands here.
            throw new ModelBuildException(TfliteErrorCodes.Malformed,
                $"TensorFlow Lite model '{path}' could not be read ({e.GetType().Name}). Re-export or re-download the model.", path, e);
        }
    }

    private static byte[] ReadBytes(string path, OnnxReadLimits limits)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new ModelBuildException(OnnxErrorCodes.FileNotFound, $"Model file '{path}' was not found. Check the path.", path);
            }
            if (info.Length == 0)
            {
                throw new ModelBuildException(OnnxErrorCodes.EmptyFile, $"TensorFlow Lite model '{path}' is empty (0 bytes). Re-export or re-download the model.", path);
            }
            if (info.Length > limits.MaxFileBytes)
            {
                throw new ModelBuildException(TfliteErrorCodes.LimitExceeded,
                    $"TensorFlow Lite model '{path}' is {info.Length} bytes, over the limit of {limits.MaxFileBytes} bytes. " +
                    "Export the model to ONNX with its weights as external data.", path);
            }
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelBuildException(OnnxErrorCodes.ReadFailed, $"TensorFlow Lite model '{path}' could not be read: {e.Message}", path, e);
        }
    }
}
