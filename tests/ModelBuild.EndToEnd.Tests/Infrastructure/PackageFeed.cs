namespace ModelBuild.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The packages ./build.sh packed last, and a workspace that restores only them: its own nuget.config (local
/// folder feed + nuget.org), a package cache of its own, and global.json pinning the MSBuild SDK version.
/// Each pack has a unique version, so a stale package in a cache can never be used.
/// </summary>
public sealed class PackageFeed
{
    public PackageFeed()
    {
        string versionFile = Path.Combine(Repository.Packages, "version.txt");
        if (!File.Exists(versionFile))
        {
            throw new InvalidOperationException($"{versionFile} is missing: run './build.sh pack' (or './build.sh test') first.");
        }
        Version = File.ReadAllText(versionFile).Trim();
        string runs = Path.Combine(Repository.Root, "artifacts", "e2e");
        DeleteEarlierRuns(runs);
        Workspace = Path.Combine(runs, $"{Version}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(Workspace);
        Directory.CreateDirectory(LibraryFeed);
        File.WriteAllText(Path.Combine(Workspace, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="modelbuild-local" value="{Repository.Packages}" />
                <add key="libraries" value="{LibraryFeed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <config>
                <add key="globalPackagesFolder" value="{PackagesCache}" />
              </config>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(Workspace, "global.json"), $$"""{ "msbuild-sdks": { "ModelBuild.Sdk": "{{Version}}" } }""");
        // Stop the repository's own Directory.Build.* and central package management from leaking into user projects.
        foreach (string name in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(Workspace, name), "<Project />");
        }
    }

    public string Version { get; }

    // A run leaves gigabytes of builds (the conformance projects alone are several); only the last run's stays, for
    // looking into a failure, so repeated test runs do not fill the disk.
    private static void DeleteEarlierRuns(string runs)
    {
        if (!Directory.Exists(runs))
        {
            return;
        }

        foreach (string earlier in Directory.EnumerateDirectories(runs))
        {
            Directory.Delete(earlier, recursive: true);
        }
    }

    public string Workspace { get; }

    /// <summary>A folder feed of the workspace, for packages the tests pack from model libraries.</summary>
    public string LibraryFeed => Path.Combine(Workspace, "feed");

    /// <summary>The workspace's NuGet packages folder (shared by all test runs; every pack has a unique version).</summary>
    public static string PackagesCache => Path.Combine(Repository.Root, "artifacts", "e2e-packages");

    private int _projects;

    /// <summary>
    /// Copies a testassets project (sources only) into a fresh folder of the workspace. Its own nuget.config is
    /// left behind: it points at the repository's feed by a relative path; the workspace's one applies instead.
    /// </summary>
    public string CopyTestAsset(string name, params string[] models)
    {
        string target = Path.Combine(Workspace, $"{name}-{Interlocked.Increment(ref _projects)}");
        string source = Path.Combine(Repository.TestAssets, name);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj" or "models"
                || string.Equals(relative, "nuget.config", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }
        string modelDir = Path.Combine(target, "models");
        Directory.CreateDirectory(modelDir);
        foreach (string model in models)
        {
            ModelZoo.Zoo.Write(model, modelDir);
        }
        return target;
    }

    /// <summary><c>dotnet build</c> with the package version passed for PackageReference-style projects.</summary>
    public Dotnet.Result Build(string project, params string[] extra) =>
        Dotnet.Run(project, ["build", "-c", "Release", "-nodeReuse:false", "-v:n", $"-p:ModelBuildSdkVersion={Version}",
            $"-p:ModelBuildCacheDirectory={CacheDirectory}", .. extra]);

    /// <summary><c>dotnet publish</c>, otherwise as <see cref="Build"/>.</summary>
    public Dotnet.Result Publish(string project, params string[] extra) =>
        Dotnet.Run(project, ["publish", "-c", "Release", "-nodeReuse:false", "-v:n", $"-p:ModelBuildSdkVersion={Version}",
            $"-p:ModelBuildCacheDirectory={CacheDirectory}", .. extra]);

    /// <summary>The workspace's own compile cache, so no test reads or fills the user's.</summary>
    public string CacheDirectory => Path.Combine(Workspace, "compile-cache");
}

[Xunit.CollectionDefinition(Name)]
public sealed class EndToEndCollection : Xunit.ICollectionFixture<PackageFeed>
{
    // One collection: the builds run one after another (2-core machines) and share one workspace.
    public const string Name = "end-to-end";
}
