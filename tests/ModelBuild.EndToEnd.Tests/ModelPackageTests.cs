using ModelBuild.EndToEnd.Tests.Infrastructure;
using NuGet.Packaging;
using Xunit;

namespace ModelBuild.EndToEnd.Tests;

/// <summary>
/// `dotnet pack` of a class library with a model (testassets/ModelLibrary, Targets="x64;arm64"), and an app that
/// references only its package (testassets/ModelConsumerApp): which variants reach build and publish folders.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ModelPackageTests(PackageFeed feed)
{
    private const string PackageId = "Contoso.Iris";

    [Fact]
    public void SinglePackageCarriesVariantsAndDeploysThoseOfTheAppsRid()
    {
        string version = PackLibrary();
        using (var package = new PackageArchiveReader(Path.Combine(feed.LibraryFeed, $"{PackageId}.{version}.nupkg")))
        {
            string[] files = package.GetFiles().ToArray();
            Assert.Contains("lib/net10.0/ModelLibrary.dll", files);
            Assert.Contains("models/IrisClassifier/x64/iris-classifier.onnx", files);
            Assert.Contains("models/IrisClassifier/arm64/iris-classifier.onnx", files);
            Assert.Contains("models/IrisClassifier/cpu/iris-classifier.onnx", files);   // the fallback (Fallback="cpu")
            Assert.Contains($"build/{PackageId}.targets", files);
            Assert.Contains($"buildTransitive/{PackageId}.targets", files);
            // What the generated code needs, not the SDK: consumers neither compile models nor reference ModelBuild.Sdk.
            string[] dependencies = package.NuspecReader.GetDependencyGroups().SelectMany(g => g.Packages).Select(d => d.Id).ToArray();
            Assert.Contains("ModelBuild.Runtime", dependencies);
            Assert.Contains("Microsoft.ML.OnnxRuntime", dependencies);
            Assert.DoesNotContain("ModelBuild.Sdk", dependencies);
            Assert.Contains("IrisClassifier 2024.06-r3", package.NuspecReader.GetDescription());
        }

        string app = feed.CopyTestAsset("ModelConsumerApp");
        Consumer(app, version, "build").ShouldSucceed();
        string bin = Path.Combine(app, "bin", "Release", "net10.0");
        Assert.Equal(["models/IrisClassifier/arm64/iris-classifier.onnx", "models/IrisClassifier/cpu/iris-classifier.onnx", "models/IrisClassifier/x64/iris-classifier.onnx"], ModelFiles(bin));
        Assert.False(Directory.Exists(Path.Combine(app, "obj", "Release", "net10.0", "modelbuild")), "The consuming app compiled models.");
        Assert.DoesNotContain("ModelBuild.Sdk", File.ReadAllText(Path.Combine(app, "obj", "project.assets.json")));
        Dictionary<string, string> lines = Run(bin, "dotnet", Path.Combine(bin, "ModelConsumerApp.dll"));
        Assert.Equal("2", lines["label"]);
        Assert.Equal("x64", lines["variant"]);
        Assert.Equal("2024.06-r3", lines["model version"]);

        string arm64 = Publish(app, version, "linux-arm64");
        Assert.Equal(["models/IrisClassifier/arm64/iris-classifier.onnx"], ModelFiles(arm64));
        string x64 = Publish(app, version, "linux-x64");
        Assert.Equal(["models/IrisClassifier/x64/iris-classifier.onnx"], ModelFiles(x64));
        lines = Run(x64, Path.Combine(x64, "ModelConsumerApp"));
        Assert.Equal("2", lines["label"]);
        Assert.Equal("x64", lines["variant"]);
    }

    [Fact]
    public void AppGetsTheModelsThroughAnotherPackage()
    {
        string version = PackLibrary();
        string wrapper = feed.CopyTestAsset("ModelWrapperLibrary");
        Dotnet.Run(wrapper, ["pack", "-c", "Release", "-nodeReuse:false", $"-p:ModelLibraryVersion={version}",
            $"-p:ModelLibraryFeed={feed.LibraryFeed}"]).ShouldSucceed();

        string app = feed.CopyTestAsset("ModelConsumerApp");
        Consumer(app, version, "build", "-p:ModelLibraryPackage=Contoso.Iris.Wrapper").ShouldSucceed();
        string bin = Path.Combine(app, "bin", "Release", "net10.0");
        Assert.Equal(["models/IrisClassifier/arm64/iris-classifier.onnx", "models/IrisClassifier/cpu/iris-classifier.onnx", "models/IrisClassifier/x64/iris-classifier.onnx"], ModelFiles(bin));
        string output = Path.Combine(app, "publish");
        Consumer(app, version, "publish", "-p:ModelLibraryPackage=Contoso.Iris.Wrapper", "-r", "linux-x64", "-o", output).ShouldSucceed();
        Assert.Equal(["models/IrisClassifier/x64/iris-classifier.onnx"], ModelFiles(output));
        Assert.Equal("2", Run(output, Path.Combine(output, "ModelConsumerApp"))["label"]);
    }

    [Fact]
    public void PerRidLayoutPacksOneModelPackagePerRidAndRestoresOnlyTheAppsOne()
    {
        string version = PackLibrary("-p:ModelPackageLayout=PerRid");
        // Every RID of the target table: Targets="x64;arm64" serve six, the cpu fallback serves android-arm64 and ios-arm64.
        string[] rids = ["android-arm64", "ios-arm64", "linux-arm64", "linux-x64", "osx-arm64", "osx-x64", "win-arm64", "win-x64"];
        // The feed is the collection's: other tests' packages have other versions.
        Assert.Equal(
            [$"{PackageId}.{version}.nupkg", .. rids.Select(rid => $"{PackageId}.Models.{rid}.{version}.nupkg")],
            Directory.GetFiles(feed.LibraryFeed, $"*.{version}.nupkg").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        using (var main = new PackageArchiveReader(Path.Combine(feed.LibraryFeed, $"{PackageId}.{version}.nupkg")))
        {
            string[] files = main.GetFiles().ToArray();
            Assert.Contains("lib/net10.0/ModelLibrary.dll", files);
            Assert.Contains("runtime.json", files);
            Assert.DoesNotContain(files, f => f.StartsWith("models/", StringComparison.Ordinal));
        }
        foreach (string rid in rids)
        {
            using var models = new PackageArchiveReader(Path.Combine(feed.LibraryFeed, $"{PackageId}.Models.{rid}.{version}.nupkg"));
            Assert.Equal(version, models.NuspecReader.GetVersion().ToNormalizedString());
            string target = rid is "android-arm64" or "ios-arm64" ? "cpu" : rid.EndsWith("arm64", StringComparison.Ordinal) ? "arm64" : "x64";
            Assert.Equal([$"models/IrisClassifier/{target}/iris-classifier.onnx"],
                models.GetFiles().Where(f => f.StartsWith("models/", StringComparison.Ordinal)));
        }

        string app = feed.CopyTestAsset("ModelConsumerApp");
        string arm64 = Publish(app, version, "linux-arm64");
        Assert.Equal(["models/IrisClassifier/arm64/iris-classifier.onnx"], ModelFiles(arm64));
        // NuGet took only the arm64 model package: in the restore graph and in the packages folder.
        string assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        Assert.Equal([$"{PackageId}.Models.linux-arm64"],
            rids.Select(rid => $"{PackageId}.Models.{rid}").Where(id => assets.Contains($"\"{id}/{version}\"", StringComparison.Ordinal)));
        Assert.Equal([$"{PackageId}.Models.linux-arm64".ToLowerInvariant()],
            rids.Select(rid => $"{PackageId}.Models.{rid}".ToLowerInvariant())
                .Where(id => Directory.Exists(Path.Combine(PackageFeed.PackagesCache, id, version))));

        string x64 = Publish(app, version, "linux-x64");
        Assert.Equal(["models/IrisClassifier/x64/iris-classifier.onnx"], ModelFiles(x64));
        Assert.Equal("2", Run(x64, Path.Combine(x64, "ModelConsumerApp"))["label"]);
    }

    [Fact]
    public void PackingThePackageReferenceFormWithoutRuntimeReferencesFailsWithMB4030()
    {
        // testassets/Sample: <PackageReference Include="ModelBuild.Sdk" /> alone, which would make its package depend on the SDK.
        string project = feed.CopyTestAsset("Sample", "iris-classifier");
        Dotnet.Result result = Dotnet.Run(project, "pack", "-c", "Release", "-nodeReuse:false", $"-p:ModelBuildSdkVersion={feed.Version}",
            $"-p:ModelBuildCacheDirectory={feed.CacheDirectory}", $"-p:PackageOutputPath={feed.LibraryFeed}");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Sample.csproj : error MB4030: ", result.Output);
        Assert.Empty(Directory.GetFiles(feed.LibraryFeed, "Sample.*.nupkg"));
    }

    /// <summary>Packs the library into the workspace feed under a version no cache has seen; returns that version.</summary>
    private string PackLibrary(params string[] extra)
    {
        string version = $"2.3.0-e2e{Guid.NewGuid():N}"[..25];
        string library = feed.CopyTestAsset("ModelLibrary", "iris-classifier");
        Dotnet.Run(library, ["pack", "-c", "Release", "-nodeReuse:false", $"-p:Version={version}", $"-p:ModelLibraryFeed={feed.LibraryFeed}",
            $"-p:ModelBuildCacheDirectory={feed.CacheDirectory}", .. extra]).ShouldSucceed();
        return version;
    }

    private static Dotnet.Result Consumer(string app, string version, string verb, params string[] extra) =>
        Dotnet.Run(app, [verb, "-c", "Release", "-nodeReuse:false", $"-p:ModelLibraryVersion={version}", .. extra]);

    private static string Publish(string app, string version, string rid)
    {
        string output = Path.Combine(app, "publish", rid);
        Consumer(app, version, "publish", "-r", rid, "-o", output).ShouldSucceed();
        return output;
    }

    private static string[] ModelFiles(string folder) =>
        Directory.GetFiles(Path.Combine(folder, "models"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static Dictionary<string, string> Run(string folder, string fileName, params string[] args) =>
        Dotnet.Exec(fileName, folder, args).ShouldSucceed().Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(": ", 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1]);
}
