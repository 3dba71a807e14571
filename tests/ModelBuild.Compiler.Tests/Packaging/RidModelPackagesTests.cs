using System.Text.Json;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Packaging;
using NuGet.Packaging;

namespace ModelBuild.Compiler.Tests.Packaging;

/// <summary><c>modelbuild pack-models</c>: the per-RID model packages, runtime.json and the main package's targets.</summary>
public sealed class RidModelPackagesTests
{
    /// <summary>A manifest as WriteModelPackManifest writes it: per RID, the assets the shipping rule ships there.</summary>
    private static string WriteManifest(TempFolder temp, Dictionary<string, string[]> targetsByRid)
    {
        RidModelPackages.Asset Asset(string target)
        {
            string source = temp.File($"src/{target}/net.onnx");
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            File.WriteAllText(source, target);
            return new RidModelPackages.Asset(target, $"models/Net/{target}/net.onnx", source);
        }
        var rids = targetsByRid.ToDictionary(r => r.Key, r => r.Value.Select(Asset).ToList());
        var manifest = new RidModelPackages.Manifest("Contoso.Net", "1.2.0", "Contoso", "A model.", temp.File("feed"), temp.File("work"), rids);
        string path = temp.File("job.json");
        File.WriteAllText(path, JsonSerializer.Serialize(manifest, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        return path;
    }

    [Fact]
    public void Each_rid_with_variants_gets_a_package_holding_them_and_runtime_json_names_them_all()
    {
        using var temp = new TempFolder();
        var byRid = new Dictionary<string, string[]>
        {
            ["linux-x64"] = ["cpu", "x64", "cuda"], ["win-x64"] = ["cpu", "x64", "cuda"], ["osx-x64"] = ["cpu", "x64"], ["linux-arm64"] = [],
        };
        Assert.Equal(0, RidModelPackages.Run(WriteManifest(temp, byRid), new Reporter(TextWriter.Null, forMsBuild: true)));

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
        Assert.Equal(1, RidModelPackages.Run(WriteManifest(temp, new Dictionary<string, string[]> { ["linux-x64"] = ["cpu"], ["osx-arm64"] = ["cpu"] }), new Reporter(error, forMsBuild: false)));
        Assert.StartsWith("error MB4033: ", error.ToString());
        Assert.False(Directory.Exists(temp.File("feed")));
    }
}
