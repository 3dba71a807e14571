namespace ModelBuild.Tasks.Tests;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "modelbuild-tasks-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates placeholder files (ResolveModels only checks that model files exist).</summary>
    public void Touch(params string[] files)
    {
        foreach (string file in files)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(File(file))!);
            System.IO.File.WriteAllText(File(file), "not read by ResolveModels");
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless; never hide the test's own result.
        }
    }
}
