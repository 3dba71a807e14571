using System.Globalization;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Onnx;

/// <summary>Checks one tensor's external_data entries and resolves them to a file and byte range.</summary>
internal static class ExternalDataLocation
{
    private const string ReExport = "re-save the model with its data file next to it, referenced by a plain relative file name";

    public static ExternalDataReference Resolve(TensorProto tensor, string modelFolder, ExternalDataContext context)
    {
        string? location = null;
        string? offsetText = null;
        string? lengthText = null;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offsetText = entry.Value; break;
                case "length": lengthText = entry.Value; break;
            }
        }

        if (string.IsNullOrEmpty(location) || location.Contains('\0'))
        {
            throw context.Error(OnnxErrorCodes.ExternalLocationMissing, location ?? "",
                "has no usable \"location\" entry", "re-save the model so every external tensor names its data file");
        }

        string relative = NormalizeRelative(location, context);
        string fullPath = Path.GetFullPath(Path.Combine(modelFolder, relative));
        string folderPrefix = Path.EndsInDirectorySeparator(modelFolder) ? modelFolder : modelFolder + Path.DirectorySeparatorChar;
        if (!fullPath.StartsWith(folderPrefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
        {
            throw context.Error(OnnxErrorCodes.ExternalLocationOutsideModelFolder, location,
                $"resolves to '{DisplayText.Escape(fullPath)}', outside the model's folder '{modelFolder}'", ReExport);
        }

        long offset = ParseNonNegative(offsetText, "offset", location, context) ?? 0;
        long? length = ParseNonNegative(lengthText, "length", location, context);

        CheckNoLinks(modelFolder, relative, location, context);
        long fileLength = CheckRegularFile(fullPath, location, context);

        long available = fileLength - offset;
        if (offset > fileLength || (length is long l && l > available))
        {
            throw context.Error(OnnxErrorCodes.ExternalRangeOutsideFile, fullPath,
                $"asks for offset {offset} and length {(length?.ToString(CultureInfo.InvariantCulture) ?? "(rest of file)")} " +
                $"but the file has only {fileLength} bytes",
                "the data file is truncated or belongs to another version of the model; copy the matching data file");
        }

        return new ExternalDataReference(tensor, fullPath, location, offset, length ?? available);
    }

    // Splits on both separators ("a\b" must not mean something else on Windows than on Linux),
    // drops "." segments, and rejects anything rooted or going up.
    private static string NormalizeRelative(string location, ExternalDataContext context)
    {
        // ':' also catches Windows drive-relative paths ("C:x") and NTFS alternate streams ("f:s").
        if (Path.IsPathRooted(location) || location[0] is '/' or '\\' || location.Contains(':'))
        {
            throw context.Error(OnnxErrorCodes.ExternalLocationRooted, location,
                "is an absolute or rooted path; external data must be addressed relative to the model's folder", ReExport);
        }

        var segments = location.Split('/', '\\').Where(s => s.Length > 0 && s != ".").ToList();
        if (segments.Count == 0)
        {
            throw context.Error(OnnxErrorCodes.ExternalLocationMissing, location,
                "names no file", "re-save the model so every external tensor names its data file");
        }

        if (segments.Any(s => s == ".."))
        {
            throw context.Error(OnnxErrorCodes.ExternalLocationOutsideModelFolder, location,
                "contains '..' and could escape the model's folder", ReExport);
        }

        return Path.Combine([.. segments]);
    }

    private static long? ParseNonNegative(string? text, string key, string location, ExternalDataContext context)
    {
        if (text is null) return null;
        // Digits only: no sign, spaces, exponent or hex, exactly like the integer onnx expects.
        if (text.Length == 0 || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            throw context.Error(OnnxErrorCodes.ExternalRangeInvalid, location,
                $"has an invalid \"{key}\" entry '{DisplayText.Escape(text)}' (a non-negative whole number of bytes is required)",
                "re-save the model with correct external data offsets and lengths");
        }

        return value;
    }

    // Every component below the model's folder must be a real directory/file, not a symbolic link
    // or junction: a link could point anywhere on the machine. (The model's folder itself, and the
    // folders above it, are the user's choice and are not checked.)
    private static void CheckNoLinks(string modelFolder, string relative, string location, ExternalDataContext context)
    {
        string current = modelFolder;
        foreach (string segment in relative.Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (!info.Exists && info.LinkTarget is null)
            {
                throw context.Error(OnnxErrorCodes.ExternalFileNotFound, current,
                    "was not found", "copy the model's data file next to the model file (data files must travel with the model)");
            }

            if (info.LinkTarget is not null || info.Attributes.HasFlag(FileAttributes.ReparsePoint))
            {
                throw context.Error(OnnxErrorCodes.ExternalLocationSymlink, current,
                    "goes through a symbolic link, which could point outside the model's folder",
                    "replace the link with a copy of the real file");
            }
        }
    }

    private static long CheckRegularFile(string fullPath, string location, ExternalDataContext context)
    {
        if (Directory.Exists(fullPath))
        {
            throw context.Error(OnnxErrorCodes.ExternalFileNotRegular, fullPath, "is a folder, not a file", ReExport);
        }

        FileLinkStatus? status;
        try
        {
            status = FileLinkInfo.Query(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw context.Error(OnnxErrorCodes.ExternalReadFailed, fullPath, $"could not be examined ({ex.Message.TrimEnd('.')})",
                "check the file's permissions", ex);
        }

        if (status is { IsRegularFile: false })
        {
            throw context.Error(OnnxErrorCodes.ExternalFileNotRegular, fullPath,
                "is not a regular file (a device, pipe or socket)", ReExport);
        }

        // A second hard link makes the same bytes reachable from outside the folder (and lets
        // someone else change them); onnx refuses such files, so do we.
        if (status is { LinkCount: > 1 } s)
        {
            throw context.Error(OnnxErrorCodes.ExternalFileHardLinked, fullPath,
                $"has {s.LinkCount} hard links; only a file with exactly one is accepted",
                "replace the hard link with a real copy of the data file");
        }

        return new FileInfo(fullPath).Length;
    }
}
