using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ModelBuild.Onnx;

/// <summary>
/// Opens a file named by untrusted input once, and answers every question about it through the open handle, so that
/// nothing can be swapped between a check and the read (the file a path names can change; the file a handle holds
/// cannot). On Unix the open never blocks (O_NONBLOCK: a FIFO as the model path would otherwise wait for a writer
/// forever) and can refuse a symbolic link as the last component (O_NOFOLLOW); the type, link count and real path
/// come from the handle (fstat, /proc/self/fd or F_GETPATH).
/// </summary>
internal static class UntrustedFile
{
    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission.</exception>
    /// <exception cref="SymbolicLinkException">The last component is a link and <paramref name="noFollow"/> is set.</exception>
    /// <exception cref="NotRegularFileException">A socket or other file that cannot be opened for reading.</exception>
    /// <exception cref="IOException">Anything else.</exception>
    public static SafeFileHandle Open(string path, bool noFollow)
    {
        if (OperatingSystem.IsWindows())
        {
            // No FIFOs in Windows file systems; links were refused by path before (reparse points).
            try
            {
                return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            }
            catch (DirectoryNotFoundException e)
            {
                throw new FileNotFoundException(e.Message, path, e);
            }
        }
        bool mac = OperatingSystem.IsMacOS();
        int flags = mac ? MacReadOnly | MacNonBlock | MacCloseOnExec | (noFollow ? MacNoFollow : 0)
                        : LinuxReadOnly | LinuxNonBlock | LinuxCloseOnExec | (noFollow ? LinuxNoFollow : 0);
        int fd = OpenNative(path, flags);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                2 or 20 => new FileNotFoundException($"'{path}' does not exist.", path),                // ENOENT, ENOTDIR
                1 or 13 => new UnauthorizedAccessException($"Permission to read '{path}' was denied."),  // EPERM, EACCES
                6 or 102 => new NotRegularFileException(path),                                       // ENXIO: a socket (102 EOPNOTSUPP on macOS)
                40 when !mac => new SymbolicLinkException(path),                                      // ELOOP
                62 when mac => new SymbolicLinkException(path),
                _ => new IOException($"'{path}' could not be opened (errno {errno})."),
            };
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Type and hard-link count of the opened file.</summary>
    public static FileLinkStatus Status(SafeFileHandle handle) => FileLinkInfo.Query(handle);

    /// <summary>The opened file's path as the kernel knows it (links resolved), or null where the system cannot say.</summary>
    public static string? RealPath(SafeFileHandle handle)
    {
        if (OperatingSystem.IsLinux())
        {
            return new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
        }
        if (OperatingSystem.IsMacOS())
        {
            var buffer = new byte[1024]; // MAXPATHLEN
            return FcntlGetPath((int)handle.DangerousGetHandle(), MacGetPath, buffer) == 0
                ? System.Text.Encoding.UTF8.GetString(buffer, 0, Array.IndexOf(buffer, (byte)0) is var end and >= 0 ? end : buffer.Length)
                : null;
        }
        return null;
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; EndOfStreamException if the file is shorter.</summary>
    public static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                throw new EndOfStreamException("The file ended before the expected number of bytes.");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }

    // Linux (x64 and arm64 share these) and macOS values of the open(2) flags.
    private const int LinuxReadOnly = 0, LinuxNonBlock = 0x800, LinuxNoFollow = 0x20000, LinuxCloseOnExec = 0x80000;
    private const int MacReadOnly = 0, MacNonBlock = 0x4, MacNoFollow = 0x100, MacCloseOnExec = 0x1000000, MacGetPath = 50;

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int FcntlGetPath(int fd, int command, [Out] byte[] buffer);
}

/// <summary>The last component of a path is a symbolic link, and links were refused.</summary>
internal sealed class SymbolicLinkException(string path) : IOException($"'{path}' is a symbolic link.");

/// <summary>The path names something that is not a regular file (a FIFO, device, socket or folder).</summary>
internal sealed class NotRegularFileException(string path) : IOException($"'{path}' is not a regular file.");
