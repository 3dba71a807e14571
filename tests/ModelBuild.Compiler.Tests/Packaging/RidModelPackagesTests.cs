using System.Text.Json;
using ModelBuild.Compiler.Packaging;
using NuGet.Packaging;

namespace ModelBuild.Compiler.Tests.Packaging;

/// <summary><c>modelbuild pack-models</c>: the per-RID model packages, runtime.json and the main package's targets.</summary>
public sealed class RidModelPackagesTests
{
    private static readonly Dictionary<string, string> TargetRids = new()
    {
        ["cpu"] = "any", ["x64"] = "linux-x64;win-x64;osx-x64", ["cuda"] = "linux-x64;win-x64",
    };

    private static string WriteManifest(TempFolder temp, params string[] targets)
    {
        var assets = targets.Select(target =>
        {
            string source = temp.File($"src/{target}/net.onnx");
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            File.WriteAllText(source, target);
            return new RidModelPackages.Asset(target, $"models/Net/{target}/net.onnx", source);
        }).ToList();
        var manifest = new RidModelPackages.Manifest("Contoso.Net", "1.2.0", "Contoso", "A model.", temp.File("feed"), temp.File("work"), TargetRids, assets);
        string path = temp.File("job.json");
        File.WriteAllText(path, JsonSerializer.Serialize(manifest, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        return path;
    }

    [Fact]
    public void Each_rid_package_holds_the_variants_serving_it_and_runtime_json_names_them_all()
    {
        using var temp = new TempFolder();
        Assert.Equal(0, RidModelPackages.Run(WriteManifest(temp, "cpu", "x64", "cuda"), TextWriter.Null));

        Assert.Equal(["Contoso.Net.Models.linux-x64.1.2.0.nupkg", "Contoso.Net.Models.osx-x64.1.2.0.nupkg", "Contoso.Net.Models.win-x64.1.2.0.nupkg"],
            Directory.GetFiles(temp.File("feed")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        using (var linux = new PackageArchiveReader(temp.File("feed/Contoso.Net.Models.linux-x64.1.2.0.nupkg")))
        {
            Assert.Equal("Contoso.Net.Models.linux-x64", linux.NuspecReader.GetId());
            Assert.Equal(["models/Net/cpu/net.onnx", "models/Net/cuda/net.onnx", "models/Net/x64/net.onnx"],
                linux.GetFiles().Where(f => f.StartsWith("models/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        }
        using (var osx = new PackageArchiveReader(temp.File("feed/Contoso.Net.Models.osx-x64.1.2.0.nupkg")))
        {
            Assert.Equal(["models/Net/cpu/net.onnx", "models/Net/x64/net.onnx"],
                osx.GetFiles().Where(f => f.StartsWith("models/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        }

        JsonElement runtimes = JsonDocument.Parse(File.ReadAllText(temp.File("work/runtime.json"))).RootElement.GetProperty("runtimes");
        Assert.Equal(["linux-x64", "osx-x64", "win-x64"], runtimes.EnumerateObject().Select(r => r.Name));
        Assert.Equal("1.2.0", runtimes.GetProperty("osx-x64").GetProperty("Contoso.Net").GetProperty("Contoso.Net.Models.osx-x64").GetString());
        string targets = File.ReadAllText(temp.File("work/Contoso.Net.models.targets"));
        Assert.Contains("contoso.net.models.win-x64/1.2.0/models/**", targets);
        Assert.Contains("Code=\"MB4034\"", targets);
    }

    [Fact]
    public void Only_portable_variants_is_MB4033_and_writes_nothing()
    {
        using var temp = new TempFolder();
        var error = new StringWriter();
        Assert.Equal(1, RidModelPackages.Run(WriteManifest(temp, "cpu"), error));
        Assert.StartsWith("error MB4033: ", error.ToString());
        Assert.False(Directory.Exists(temp.File("feed")));
    }
}
