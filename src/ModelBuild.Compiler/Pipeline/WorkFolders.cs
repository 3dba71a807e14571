using System.Diagnostics;
using System.Globalization;

namespace ModelBuild.Compiler.Pipeline;

/// <summary>
/// Private folders for files the compiler writes while it works (variants before emit, ONNX Runtime's optimizer output,
/// verification twins). They live under the build's intermediate folder (<see cref="UseRoot"/>), not bare /tmp, are named
/// <c>&lt;kind&gt;-&lt;process id&gt;-&lt;guid&gt;</c>, and are deleted in <c>finally</c>; a compiler killed before its
/// <c>finally</c> (SIGKILL, a build timeout) leaves them behind, so each job first removes those whose process is gone or
/// that are older than a day.
/// </summary>
internal static class WorkFolders
{
    /// <summary>The folder under a job's intermediate folder; a leading dot, so no generated class folder can take its name.</summary>
    public const string FolderName = ".modelbuild-work";

    public static readonly TimeSpan StaleAge = TimeSpan.FromDays(1);

    // Async-local: jobs run one after another in the compiler, but side by side in the test host.
    private static readonly AsyncLocal<string?> CurrentRoot = new();

    /// <summary>Where new work folders go: the running job's, or the system temp folder for callers outside a job (tests).</summary>
    public static string Root => CurrentRoot.Value ?? Path.Combine(Path.GetTempPath(), FolderName);

    /// <summary>Makes <paramref name="root"/> the place for new work folders (for this job's flow), and removes the stale ones in it.</summary>
    public static void UseRoot(string root)
    {
        CurrentRoot.Value = Path.GetFullPath(root);
        RemoveStale(Root);
    }

    /// <summary>A new, not yet created, work folder path.</summary>
    public static string NewPath(string kind) =>
        Path.Combine(Root, $"{kind}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}");

    public static string Create(string kind)
    {
        string path = NewPath(kind);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a work folder, and the root when it is left empty; a leftover is never worth failing the build over.</summary>
    public static void Delete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            string? root = Path.GetDirectoryName(path);
            if (root is not null && Directory.Exists(root) && !Directory.EnumerateFileSystemEntries(root).Any())
            {
                Directory.Delete(root);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another compiler just created a folder in the root, or the file system refused: the next job tries again.
        }
    }

    /// <summary>Removes work folders in <paramref name="root"/> whose process is gone or that are older than <see cref="StaleAge"/>.</summary>
    /// <returns>How many were removed.</returns>
    public static int RemoveStale(string root)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }
        int removed = 0;
        foreach (string folder in Directory.EnumerateDirectories(root))
        {
            bool stale = DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > StaleAge
                || OwnerProcess(Path.GetFileName(folder)) is int pid && !IsRunning(pid);
            if (stale)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                    removed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Still in use or not ours to delete: left for a later job.
                }
            }
        }
        return removed;
    }

    /// <summary>The process id in <c>kind-pid-guid</c>, or null for a name this class did not make.</summary>
    private static int? OwnerProcess(string name)
    {
        string[] parts = name.Split('-');
        return parts.Length >= 3 && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }
        try
        {
            using Process process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
