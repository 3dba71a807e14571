using System.Runtime.CompilerServices;

namespace ModelBuild.Generator.Tests;

/// <summary>Test inputs and baselines are read from (and, when updating, written to) the source tree.</summary>
internal static class TestFiles
{
    public static string ProjectDirectory { get; } = GetDirectory();

    public static string TestData => Path.Combine(ProjectDirectory, "TestData");

    public static string Baselines => Path.Combine(ProjectDirectory, "Baselines");

    public static string ReadSignature(string name) => File.ReadAllText(SignaturePath(name));

    public static string SignaturePath(string name) => Path.Combine(TestData, name + ".modelsig.json");

    private static string GetDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
