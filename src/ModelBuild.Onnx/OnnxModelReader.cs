using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Onnx;

/// <summary>
/// Reads ONNX model files that may come from anywhere: every failure becomes a
/// <see cref="ModelBuildException"/> naming the file, never a raw protobuf or I/O exception. The file is opened once and
/// checked through its handle (<see cref="UntrustedFile"/>), and its wire format is scanned against the limits
/// (<see cref="OnnxReadLimits"/>) before any message is built, so memory stays proportional to the file.
/// External data is not loaded here (see <see cref="OnnxExternalData"/>).
/// </summary>
public static class OnnxModelReader
{
    public static ModelProto ReadFile(string path, OnnxReadLimits? limits = null) => ReadFile(path, out _, limits);

    /// <summary>
    /// Reads the model and gives the SHA-256 (lower-case hex) of the very bytes it was parsed from, so callers that need
    /// the file's hash never open the path a second time (it could have been swapped, or become a FIFO, meanwhile).
    /// </summary>
    public static ModelProto ReadFile(string path, out string sha256, OnnxReadLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        limits ??= OnnxReadLimits.Default;
        if (limits.MaxFileBytes <= 0 || limits.RecursionLimit <= 0 || limits.MaxNodes <= 0 || limits.MaxStringBytes <= 0 || limits.MemoryFactor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), "Every limit must be positive.");
        }

        using SafeFileHandle handle = Open(path);
        long length = CheckedLength(handle, path, limits);
        sha256 = HashAndScan(handle, length, path, limits);
        // Parsed from the handle once more rather than from the bytes just checked: the file is never held twice (its
        // bytes and the model built from them), which for a model of weights is the reader's peak memory halved.
        using var stream = new HashingHandleStream(handle, length);
        ModelProto model = Parse(stream, length, path, limits);
        if (stream.Sha256() != sha256)
        {
            throw NotProtobuf(path, new InvalidDataException("the file changed while it was read"));
        }
        return model;
    }

    /// <summary>
    /// Opened without blocking (a FIFO as the model path must not hang the build); its type is checked through the
    /// handle before any read (<see cref="CheckedLength"/>).
    /// </summary>
    private static SafeFileHandle Open(string path)
    {
        try
        {
            return UntrustedFile.Open(path, noFollow: false);
        }
        catch (FileNotFoundException ex)
        {
            throw new ModelBuildException(OnnxErrorCodes.FileNotFound,
                $"ONNX model file '{path}' was not found. Check the path, and that the file exists before the build reads it.",
                path, ex);
        }
        catch (UnauthorizedAccessException ex) when (Directory.Exists(path))
        {
            throw IsFolder(path, ex);
        }
        catch (NotRegularFileException ex)
        {
            throw NotRegular(path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw ReadFailed(path, ex);
        }
    }

    /// <summary>The size of a regular, non-empty file within the limits, checked before anything is read or allocated.</summary>
    private static long CheckedLength(SafeFileHandle handle, string path, OnnxReadLimits limits)
    {
        FileLinkStatus status;
        long length;
        try
        {
            status = UntrustedFile.Status(handle);
            length = status.IsRegularFile ? RandomAccess.GetLength(handle) : 0;
        }
        catch (IOException ex)
        {
            throw ReadFailed(path, ex);
        }
        if (status.IsDirectory)
        {
            throw IsFolder(path, null);
        }
        if (!status.IsRegularFile)
        {
            throw NotRegular(path, null);
        }
        if (length == 0)
        {
            throw new ModelBuildException(OnnxErrorCodes.EmptyFile,
                $"ONNX model file '{path}' is empty (0 bytes). Re-export or re-download the model; an interrupted copy often leaves an empty file.",
                path);
        }
        if (length > limits.MaxFileBytes || length > Array.MaxLength)
        {
            throw new ModelBuildException(OnnxErrorCodes.LimitExceeded,
                $"ONNX model file '{path}' is {length} bytes, over the limit of {Math.Min(limits.MaxFileBytes, Array.MaxLength)} bytes. " +
                "Store large weights as ONNX external data (a side file next to the model) so the model file itself stays small.",
                path);
        }
        return length;
    }

    /// <summary>The SHA-256 of the file's bytes, whose wire format is scanned against the limits; the bytes are not kept.</summary>
    private static string HashAndScan(SafeFileHandle handle, long length, string path, OnnxReadLimits limits)
    {
        var bytes = new byte[length];
        try
        {
            UntrustedFile.ReadExactly(handle, bytes, 0);
        }
        catch (EndOfStreamException ex)
        {
            throw NotProtobuf(path, new InvalidDataException($"the file shrank to fewer than {length} bytes while it was read", ex));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw ReadFailed(path, ex);
        }
        OnnxWireScanner.Check(bytes, limits, path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
    }

    private static ModelProto Parse(Stream bytes, long length, string path, OnnxReadLimits limits)
    {
        ModelProto model;
        try
        {
            using var input = CodedInputStream.CreateWithLimits(bytes, (int)length, limits.RecursionLimit);
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

        var missing = new List<string>();
        if (!model.HasIrVersion) missing.Add("ir_version");
        if (model.Graph is null) missing.Add("graph");
        if (model.OpsetImport.Count == 0) missing.Add("opset_import");
        if (model.HasIrVersion && model.IrVersion < 1) missing.Add($"valid ir_version (it is {model.IrVersion}; ONNX counts from 1)");
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

    private static ModelBuildException IsFolder(string path, Exception? ex) =>
        new(OnnxErrorCodes.FileNotFound, $"ONNX model path '{path}' is a folder, not a file. Point it at the .onnx file.", path, ex);

    private static ModelBuildException NotRegular(string path, Exception? ex) =>
        new(OnnxErrorCodes.ModelFileNotRegular,
            $"ONNX model path '{path}' is not a regular file (a pipe, device or socket), so it was not read. Point the item at the .onnx file itself.",
            path, ex);

    private static ModelBuildException ReadFailed(string path, Exception ex) =>
        new(OnnxErrorCodes.ReadFailed,
            $"ONNX model file '{path}' could not be read: {ex.Message} Check its permissions and that no other process locks it.",
            path, ex);
}
