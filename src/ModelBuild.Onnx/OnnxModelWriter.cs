using Google.Protobuf;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Onnx;

/// <summary>Serializes models; files are replaced atomically so readers never see partial output.</summary>
public static class OnnxModelWriter
{
    public static byte[] Serialize(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.ToByteArray();
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/>: first to a temporary file in the
    /// same folder (so the final rename stays on one file system and is atomic), flushed to disk,
    /// then moved over the target. On failure the temporary file is deleted and the target is untouched.
    /// </summary>
    public static void WriteFile(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);

        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath) ?? ".";
        string temp = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                model.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, fullPath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            TryDelete(temp);
            throw new ModelBuildException(OnnxErrorCodes.WriteFailed,
                $"ONNX model file '{fullPath}' could not be written: {ex.Message} Check that the folder is writable and has free space.",
                fullPath, ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error is the one worth reporting.
        }
    }
}
