using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Onnx;

/// <summary>
/// Tensors whose bytes live in side files ("external data"). Locations come from the model, so they
/// are untrusted: each is checked with the rules onnx adopted after its path-traversal CVEs
/// (relative, no "..", no symbolic link, inside the model's folder, a regular file with one hard
/// link, offset and length inside the file) before any byte is read.
/// </summary>
public static class OnnxExternalData
{
    /// <summary>
    /// Every tensor of <paramref name="model"/> stored externally, with its location resolved against
    /// <paramref name="modelDirectory"/> (the folder of the model file). Throws
    /// <see cref="ModelBuildException"/> (MB1010-MB1019) for the first unsafe or broken location.
    /// <c>modelPath</c> (optional) is the model file named in error messages.
    /// </summary>
    public static IReadOnlyList<ExternalDataReference> Enumerate(ModelProto model, string modelDirectory, string? modelPath = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);

        string folder = Path.GetFullPath(modelDirectory);
        var references = new List<ExternalDataReference>();
        foreach (var tensor in OnnxTensorWalker.AllTensors(model))
        {
            if (tensor.HasDataLocation && tensor.DataLocation == TensorProto.Types.DataLocation.External)
            {
                var context = new ExternalDataContext(modelPath ?? folder, tensor.Name);
                references.Add(ExternalDataLocation.Resolve(tensor, folder, context));
            }
        }

        return references;
    }

    /// <summary>
    /// Copies each external tensor's bytes into its raw_data and removes the external fields, so the
    /// model becomes self-contained. Every location is checked before anything is read; each tensor's
    /// own byte range is read, nothing else.
    /// </summary>
    public static void LoadIntoModel(ModelProto model, string modelDirectory, string? modelPath = null)
    {
        var references = Enumerate(model, modelDirectory, modelPath);

        // Read everything first, so a failure leaves the model exactly as it was.
        var contents = references
            .Select(r => ReadRange(r, new ExternalDataContext(modelPath ?? Path.GetFullPath(modelDirectory), r.Tensor.Name)))
            .ToList();
        for (int i = 0; i < references.Count; i++)
        {
            var tensor = references[i].Tensor;
            tensor.RawData = UnsafeByteOperations.UnsafeWrap(contents[i]);
            tensor.ExternalData.Clear();
            tensor.ClearDataLocation();
        }
    }

    /// <summary>
    /// The bytes of one external tensor, found by <see cref="Enumerate"/> (so its location is already checked):
    /// lets a caller hold one tensor at a time instead of loading the whole model.
    /// </summary>
    public static byte[] Read(ExternalDataReference reference, string? modelPath = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return ReadRange(reference, new ExternalDataContext(modelPath ?? Path.GetDirectoryName(reference.FullPath)!, reference.Tensor.Name));
    }

    /// <summary>The real path (links resolved) of the folder that holds the model, through which the data file was named.</summary>
    private static string ModelFolderRealPath(ExternalDataReference reference)
    {
        string folder = Path.GetDirectoryName(reference.FullPath)!;
        for (int i = reference.RelativeLocation.Split('/', '\\').Count(p => p.Length > 0 && p != ".") - 1; i > 0; i--)
        {
            folder = Path.GetDirectoryName(folder)!;
        }
        using SafeFileHandle handle = UntrustedFile.Open(folder, noFollow: false);
        return UntrustedFile.RealPath(handle) ?? folder;
    }

    private static bool IsInside(string path, string folder)
    {
        string prefix = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    private static byte[] ReadRange(ExternalDataReference reference, ExternalDataContext context)
    {
        // A protobuf bytes field (and a .NET array) holds at most 2 GiB; bigger tensors must stay external.
        if (reference.Length > Array.MaxLength)
        {
            throw context.Error(OnnxErrorCodes.ExternalReadFailed, reference.FullPath,
                $"is {reference.Length.ToString(CultureInfo.InvariantCulture)} bytes, too large to inline into the model",
                "keep this tensor as external data instead of inlining it");
        }

        return WithCheckedHandle(reference, context, handle =>
        {
            if (RandomAccess.GetLength(handle) - reference.Offset < reference.Length)
            {
                throw new EndOfStreamException("The file is shorter than the tensor's range.");
            }
            var bytes = new byte[reference.Length];
            UntrustedFile.ReadExactly(handle, bytes, reference.Offset);
            return bytes;
        });
    }

    /// <summary>
    /// Adds every byte of <paramref name="reference"/>'s data file to <paramref name="hash"/> (a cache key), read through
    /// the same checked handle as <see cref="Read"/>: the path is never opened unchecked a second time.
    /// </summary>
    public static void AppendFileTo(IncrementalHash hash, ExternalDataReference reference, string? modelPath = null)
    {
        ArgumentNullException.ThrowIfNull(hash);
        ArgumentNullException.ThrowIfNull(reference);
        var context = new ExternalDataContext(modelPath ?? Path.GetDirectoryName(reference.FullPath)!, reference.Tensor.Name);
        WithCheckedHandle(reference, context, handle =>
        {
            var buffer = new byte[1 << 20];
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                offset += read;
            }
            return true;
        });
    }

    /// <summary>
    /// The path checks in Enumerate can be raced (the file swapped for a link between check and read), so the file is
    /// opened once, refusing a link as its last component, and checked again through the handle: a regular file with one
    /// link whose real path is inside the model's folder. Only that handle is read, by <paramref name="read"/>.
    /// </summary>
    private static T WithCheckedHandle<T>(ExternalDataReference reference, ExternalDataContext context, Func<SafeFileHandle, T> read)
    {
        try
        {
            using SafeFileHandle handle = UntrustedFile.Open(reference.FullPath, noFollow: true);
            FileLinkStatus status = UntrustedFile.Status(handle);
            if (!status.IsRegularFile)
            {
                throw context.Error(OnnxErrorCodes.ExternalFileNotRegular, reference.FullPath,
                    "is not a regular file (a folder, device, pipe or socket)", "point \"location\" at the data file");
            }
            if (status.LinkCount > 1)
            {
                throw context.Error(OnnxErrorCodes.ExternalFileHardLinked, reference.FullPath,
                    $"has {status.LinkCount} hard links; only a file with exactly one is accepted",
                    "replace the hard link with a real copy of the data file");
            }
            if (UntrustedFile.RealPath(handle) is { } real && !IsInside(real, ModelFolderRealPath(reference)))
            {
                throw context.Error(OnnxErrorCodes.ExternalLocationOutsideModelFolder, reference.FullPath,
                    $"was replaced while the build read it, and now is '{DisplayText.Escape(real)}' outside the model's folder",
                    "make sure nothing rewrites the model's folder during the build");
            }
            return read(handle);
        }
        catch (SymbolicLinkException ex)
        {
            throw context.Error(OnnxErrorCodes.ExternalLocationSymlink, reference.FullPath,
                "became a symbolic link while the build read it", "replace the link with a copy of the real file", ex);
        }
        catch (NotRegularFileException ex)
        {
            throw context.Error(OnnxErrorCodes.ExternalFileNotRegular, reference.FullPath,
                "is not a regular file (a folder, device, pipe or socket)", "point \"location\" at the data file", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // EndOfStreamException (an IOException) lands here too: the file shrank after the checks.
            throw context.Error(OnnxErrorCodes.ExternalReadFailed, reference.FullPath,
                $"could not be read ({ex.Message.TrimEnd('.')})",
                "check that the data file is complete and readable and that nothing rewrites it during the build", ex);
        }
    }
}
