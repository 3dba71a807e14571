using Google.Protobuf;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Onnx;

/// <summary>
/// Reads ONNX model files that may come from anywhere: every failure becomes a
/// <see cref="ModelBuildException"/> naming the file, never a raw protobuf or I/O exception.
/// External data is not loaded here (see <see cref="OnnxExternalData"/>).
/// </summary>
public static class OnnxModelReader
{
    public static ModelProto ReadFile(string path, OnnxReadLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        limits ??= OnnxReadLimits.Default;
        if (limits.MaxFileBytes <= 0 || limits.RecursionLimit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), "MaxFileBytes and RecursionLimit must be positive.");
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelBuildException(OnnxErrorCodes.FileNotFound,
                $"ONNX model file '{path}' was not found. Check the path, and that the file exists before the build reads it.",
                path, ex);
        }
        catch (UnauthorizedAccessException ex) when (Directory.Exists(path))
        {
            throw new ModelBuildException(OnnxErrorCodes.FileNotFound,
                $"ONNX model path '{path}' is a folder, not a file. Point it at the .onnx file.", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw ReadFailed(path, ex);
        }

        using (stream)
        {
            return Parse(stream, path, limits);
        }
    }

    private static ModelProto Parse(FileStream stream, string path, OnnxReadLimits limits)
    {
        long length;
        try
        {
            length = stream.Length;
        }
        catch (IOException ex)
        {
            throw ReadFailed(path, ex);
        }

        if (length == 0)
        {
            throw new ModelBuildException(OnnxErrorCodes.EmptyFile,
                $"ONNX model file '{path}' is empty (0 bytes). Re-export or re-download the model; an interrupted copy often leaves an empty file.",
                path);
        }

        // Checked before parsing so an oversized file is rejected without reading it.
        if (length > limits.MaxFileBytes)
        {
            throw new ModelBuildException(OnnxErrorCodes.LimitExceeded,
                $"ONNX model file '{path}' is {length} bytes, over the limit of {limits.MaxFileBytes} bytes. " +
                "Store large weights as ONNX external data (a side file next to the model) so the model file itself stays small.",
                path);
        }

        int sizeLimit = (int)Math.Min(limits.MaxFileBytes, int.MaxValue);
        ModelProto model;
        try
        {
            using var input = CodedInputStream.CreateWithLimits(stream, sizeLimit, limits.RecursionLimit);
            model = new ModelProto();
            model.MergeFrom(input);

            // Generated parsers return early, without error, at an end-group tag (ONNX uses no
            // groups); bytes left over mean the file is not what it claims to be.
            if (!input.IsAtEnd)
            {
                throw NotProtobuf(path, new InvalidDataException(
                    $"parsing stopped at byte {input.Position} of {length} (unexpected end-group tag)"));
            }
        }
        catch (InvalidProtocolBufferException ex) when (IsRecursionLimit(ex))
        {
            throw new ModelBuildException(OnnxErrorCodes.LimitExceeded,
                $"ONNX model file '{path}' nests messages (subgraphs) deeper than the limit of {limits.RecursionLimit} levels. " +
                "Flatten the nested control flow, or raise OnnxReadLimits.RecursionLimit if the model is trusted.",
                path, ex);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw NotProtobuf(path, ex);
        }
        catch (IOException ex)
        {
            throw ReadFailed(path, ex);
        }

        var missing = new List<string>();
        if (!model.HasIrVersion) missing.Add("ir_version");
        if (model.Graph is null) missing.Add("graph");
        if (model.OpsetImport.Count == 0) missing.Add("opset_import");
        if (missing.Count > 0)
        {
            throw new ModelBuildException(OnnxErrorCodes.NotAnOnnxModel,
                $"File '{path}' is a protobuf message but not an ONNX model: it has no {string.Join(", no ", missing)}. " +
                "It may be another kind of protobuf file (a tensor, a checkpoint); export the model itself to ONNX.",
                path);
        }

        return model;
    }

    // Google.Protobuf reports both malformed data and a nesting overflow as
    // InvalidProtocolBufferException; only its message tells them apart.
    private static bool IsRecursionLimit(InvalidProtocolBufferException ex) =>
        ex.Message.Contains("levels of nesting", StringComparison.OrdinalIgnoreCase);

    private static ModelBuildException NotProtobuf(string path, Exception ex) =>
        new(OnnxErrorCodes.NotProtobuf,
            $"File '{path}' cannot be parsed as an ONNX model (protobuf): {ex.Message.TrimEnd('.')}. " +
            "The file is truncated, corrupt or not an ONNX file; re-export or re-download it.",
            path, ex);

    private static ModelBuildException ReadFailed(string path, Exception ex) =>
        new(OnnxErrorCodes.ReadFailed,
            $"ONNX model file '{path}' could not be read: {ex.Message} Check its permissions and that no other process locks it.",
            path, ex);
}
