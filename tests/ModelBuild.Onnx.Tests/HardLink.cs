using System.Runtime.InteropServices;

namespace ModelBuild.Onnx.Tests;

/// <summary>Creates hard links, which .NET has no API for.</summary>
internal static class HardLink
{
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("kernel32.dll", EntryPoint = "CreateHardLinkW", CharSet = CharSet.Unicode, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool CreateHardLink(string newPath, string existing, IntPtr reserved);

    public static void Create(string existing, string newPath)
    {
        bool ok = OperatingSystem.IsWindows() ? CreateHardLink(newPath, existing, IntPtr.Zero) : Link(existing, newPath) == 0;
        if (!ok)
        {
            throw new IOException($"Could not create hard link '{newPath}' -> '{existing}' (error {Marshal.GetLastPInvokeError()}).");
        }
    }
}
