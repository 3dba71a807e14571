using System.Runtime.InteropServices;

namespace ModelBuild.Onnx;

/// <summary>What the operating system says about a path itself (symbolic links are not followed) or an open file.</summary>
/// <param name="IsRegularFile">A plain file: not a folder, device, FIFO, socket or link.</param>
/// <param name="LinkCount">Number of hard links (names) the file has.</param>
/// <param name="IsDirectory">A folder.</param>
internal readonly record struct FileLinkStatus(bool IsRegularFile, long LinkCount, bool IsDirectory = false);

/// <summary>
/// File type and hard-link count. .NET has no API for the link count, so this asks the OS directly:
/// statx on Linux, lstat on macOS, GetFileInformationByHandle on Windows. Queried by path without
/// opening the file on Unix, because opening a FIFO for reading would block.
/// </summary>
internal static class FileLinkInfo
{
    /// <summary>The status of <paramref name="path"/>, or null where the OS offers no way to ask.</summary>
    public static FileLinkStatus? Query(string path)
    {
        try
        {
            if (OperatingSystem.IsLinux()) return QueryLinux(path);
            if (OperatingSystem.IsMacOS()) return QueryMac(path);
            if (OperatingSystem.IsWindows()) return QueryWindows(path);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // An old C library without statx (glibc < 2.28): the link count cannot be checked.
        }

        // Other systems: no portable layout to read; the remaining checks still apply.
        return null;
    }

    /// <summary>The status of an open file (fstat): the one thing an attacker cannot swap after the check.</summary>
    public static FileLinkStatus Query(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return QueryWindows(handle);
        }
        var buffer = new byte[256];
        int fd = (int)handle.DangerousGetHandle();
        if (OperatingSystem.IsLinux())
        {
            if (Statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_NLINK, buffer) != 0)
            {
                throw new IOException($"statx failed on an open file (errno {Marshal.GetLastPInvokeError()}).");
            }
            return Status(BitConverter.ToUInt16(buffer, 28), BitConverter.ToUInt32(buffer, 16));
        }
        int result = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? FstatX64(fd, buffer) : FstatArm64(fd, buffer);
        if (result != 0)
        {
            throw new IOException($"fstat failed on an open file (errno {Marshal.GetLastPInvokeError()}).");
        }
        return Status(BitConverter.ToUInt16(buffer, 4), BitConverter.ToUInt16(buffer, 6));
    }

    private static FileLinkStatus Status(int mode, long links) =>
        new((mode & S_IFMT) == S_IFREG, links, (mode & S_IFMT) == S_IFDIR);

    private const int S_IFMT = 0xF000;
    private const int S_IFREG = 0x8000;
    private const int S_IFDIR = 0x4000;
    private const int AT_EMPTY_PATH = 0x1000;

    [DllImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static extern int FstatArm64(int fd, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
    private static extern int FstatX64(int fd, [Out] byte[] buffer);

    // struct statx has the same layout on every Linux architecture (fixed-width fields):
    // stx_nlink is the u32 at offset 16, stx_mode the u16 at offset 28.
    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const uint STATX_TYPE = 0x1;
    private const uint STATX_NLINK = 0x4;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    private static FileLinkStatus? QueryLinux(string path)
    {
        var buffer = new byte[256];
        if (Statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_NLINK, buffer) != 0)
        {
            throw new IOException($"statx failed for '{path}' (errno {Marshal.GetLastPInvokeError()}).");
        }

        return Status(BitConverter.ToUInt16(buffer, 28), BitConverter.ToUInt32(buffer, 16));
    }

    // 64-bit-inode struct stat on macOS (the only one on arm64; "$INODE64" symbols on x64):
    // st_mode is the u16 at offset 4, st_nlink the u16 at offset 6.
    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int LstatArm64([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "lstat$INODE64", SetLastError = true)]
    private static extern int LstatX64([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buffer);

    private static FileLinkStatus? QueryMac(string path)
    {
        var buffer = new byte[256];
        int result = RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? LstatX64(path, buffer)
            : LstatArm64(path, buffer);
        if (result != 0)
        {
            throw new IOException($"lstat failed for '{path}' (errno {Marshal.GetLastPInvokeError()}).");
        }

        return Status(BitConverter.ToUInt16(buffer, 4), BitConverter.ToUInt16(buffer, 6));
    }

    // BY_HANDLE_FILE_INFORMATION is 13 DWORDs: attributes first, nNumberOfLinks the 11th.
    private const uint FILE_ATTRIBUTE_DIRECTORY = 0x10;
    private const uint FILE_ATTRIBUTE_DEVICE = 0x40;
    private const uint FILE_ATTRIBUTE_REPARSE_POINT = 0x400;

    [DllImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool GetFileInformationByHandle(Microsoft.Win32.SafeHandles.SafeFileHandle handle, [Out] uint[] information);

    private static FileLinkStatus QueryWindows(string path)
    {
        // Windows has no FIFOs in the file system, so opening (without reading) is safe here.
        // The caller has already rejected reparse points, so this does not follow a link.
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return QueryWindows(handle);
    }

    private static FileLinkStatus QueryWindows(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        var information = new uint[13];
        if (!GetFileInformationByHandle(handle, information))
        {
            throw new IOException($"GetFileInformationByHandle failed on an open file (error {Marshal.GetLastPInvokeError()}).");
        }

        uint attributes = information[0];
        bool regular = (attributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_DEVICE | FILE_ATTRIBUTE_REPARSE_POINT)) == 0;
        return new FileLinkStatus(regular, information[10], (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0);
    }
}
