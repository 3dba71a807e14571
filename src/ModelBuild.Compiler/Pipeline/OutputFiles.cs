using System.Text;

namespace ModelBuild.Compiler.Pipeline;

/// <summary>Writes and removes a job's outputs; every file appears whole or not at all.</summary>
internal static class OutputFiles
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteAtomically(string path, byte[] content)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, content);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public static void WriteAtomically(string path, string content) => WriteAtomically(path, Utf8NoBom.GetBytes(content));

    /// <summary>Removes what an earlier build of this job made, so a now-broken model cannot ship a stale asset.</summary>
    public static void Delete(CompileJob job)
    {
        // File.Delete throws when the folder is missing (a model that never compiled, a fresh --out folder).
        if (File.Exists(job.AssetListFile))
        {
            File.Delete(job.AssetListFile);
        }
        if (File.Exists(job.SignatureFile))
        {
            File.Delete(job.SignatureFile);
        }
        if (job.DependencyFile is { } dependencies && File.Exists(dependencies))
        {
            File.Delete(dependencies);
        }
        if (Directory.Exists(job.OutputDirectory))
        {
            Directory.Delete(job.OutputDirectory, recursive: true);
        }
    }
}
