namespace ModelBuild.EndToEnd.Tests.Infrastructure;

/// <summary>Locations in the repository these tests read from.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string TestAssets => Path.Combine(Root, "testassets");

    public static string Packages => Path.Combine(Root, "artifacts", "packages");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ModelBuild.sln not found above " + AppContext.BaseDirectory);
    }
}
