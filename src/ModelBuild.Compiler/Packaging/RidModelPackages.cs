using System.Text;
using System.Text.Json;
using System.Xml;
using ModelBuild.Tasks;
using NuGet.Packaging;
using NuGet.Versioning;

namespace ModelBuild.Compiler.Packaging;

/// <summary>
/// <c>modelbuild pack-models</c> (ModelPackageLayout="PerRid"): writes one package per runtime identifier,
/// <c>&lt;id&gt;.Models.&lt;rid&gt;</c>, holding the variants that serve that RID, and for the main package a runtime.json
/// that makes NuGet restore only the RID's model package, plus targets that deploy its files from the package folder.
/// </summary>
internal static class RidModelPackages
{
    /// <summary>The job the MSBuild targets write (ModelBuild.Tasks.WriteModelPackManifest).</summary>
    internal sealed record Manifest(string Id, string Version, string Authors, string Description, string OutputDirectory,
        string WorkDirectory, Dictionary<string, string> TargetRids, List<Asset> Assets);

    internal sealed record Asset(string Target, string PackagePath, string Source);

    public static int Run(string manifestPath, TextWriter errors)
    {
        Manifest manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException($"{manifestPath} is empty.");
        var version = NuGetVersion.Parse(manifest.Version);
        if (manifest.Assets.Select(a => a.Target).FirstOrDefault(t => !manifest.TargetRids.ContainsKey(t)) is { } unmapped)
        {
            errors.WriteLine($"error MB4031: Target '{unmapped}' has no ModelBuildTargetRid item, so its RIDs are unknown. Add <ModelBuildTargetRid Include=\"{unmapped}\" Rids=\"...\" />.");
            return 1;
        }
        Dictionary<string, List<Asset>> byRid = AssetsByRid(manifest);
        if (byRid.Count == 0)
        {
            errors.WriteLine($"error MB4033: ModelPackageLayout=\"PerRid\" but no model of '{manifest.Id}' has a target tied to a runtime identifier (only 'cpu'). Add RID-specific Targets (x64, arm64, cuda, mobile) or use ModelPackageLayout=\"Single\".");
            return 1;
        }
        Directory.CreateDirectory(manifest.OutputDirectory);
        foreach (var (rid, assets) in byRid)
        {
            var builder = new PackageBuilder
            {
                Id = ModelPackageId(manifest.Id, rid),
                Version = version,
                Description = $"Model variants of {manifest.Id} for {rid}, restored by {manifest.Id} for apps with that RuntimeIdentifier. {manifest.Description}".TrimEnd(),
            };
            builder.Authors.AddRange(manifest.Authors.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            builder.Files.AddRange(assets.Select(a => new PhysicalPackageFile { SourcePath = a.Source, TargetPath = a.PackagePath }));
            string path = Path.Combine(manifest.OutputDirectory, $"{builder.Id}.{version.ToNormalizedString()}.nupkg");
            using (FileStream stream = File.Create(path))
            {
                builder.Save(stream);
            }
            Console.WriteLine($"ModelBuild: packed {path}");
        }
        Directory.CreateDirectory(manifest.WorkDirectory);
        File.WriteAllText(Path.Combine(manifest.WorkDirectory, "runtime.json"), RuntimeJson(manifest.Id, version, byRid.Keys));
        WriteTargets(manifest, version, byRid);
        return 0;
    }

    internal static string ModelPackageId(string id, string rid) => $"{id}.Models.{rid}";

    /// <summary>Variants of a target that serves "any" RID go into every RID's package.</summary>
    private static Dictionary<string, List<Asset>> AssetsByRid(Manifest manifest)
    {
        var byRid = new SortedDictionary<string, List<Asset>>(StringComparer.Ordinal);
        string[] Rids(string target) => manifest.TargetRids[target].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string rid in manifest.Assets.SelectMany(a => Rids(a.Target)).Where(r => r != "any").Distinct())
        {
            byRid[rid] = manifest.Assets.Where(a => Rids(a.Target) is var served && (served.Contains("any") || served.Contains(rid))).ToList();
        }
        return new Dictionary<string, List<Asset>>(byRid);
    }

    /// <summary>NuGet's RID-specific dependencies: a project restoring for one of these RIDs also gets its model package.</summary>
    private static string RuntimeJson(string id, NuGetVersion version, IEnumerable<string> rids)
    {
        var runtimes = rids.ToDictionary(rid => rid,
            rid => new Dictionary<string, Dictionary<string, string>> { [id] = new() { [ModelPackageId(id, rid)] = version.ToNormalizedString() } });
        return JsonSerializer.Serialize(new { runtimes }, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// NuGet imports build assets only from the RID-less restore graph, where the model packages are absent; so the
    /// main package's targets take the files from the RID's model package in the packages folder.
    /// </summary>
    private static void WriteTargets(Manifest manifest, NuGetVersion version, Dictionary<string, List<Asset>> byRid)
    {
        string guard = PackageTargetsXml.Guard(manifest.Id);
        string folderVersion = version.ToNormalizedString().ToLowerInvariant();
        PackageTargetsXml.WriteProject(Path.Combine(manifest.WorkDirectory, manifest.Id + ".models.targets"), xml =>
        {
            xml.WriteComment($" Generated by ModelBuild.Sdk when {manifest.Id} was packed: deploys the variants of the app's RID from {manifest.Id}.Models.<rid>. Needs no ModelBuild. ");
            foreach (var (rid, assets) in byRid)
            {
                string root = $"$([MSBuild]::EnsureTrailingSlash('$(NuGetPackageRoot)')){ModelPackageId(manifest.Id, rid).ToLowerInvariant()}/{folderVersion}/";
                xml.WriteStartElement("ItemGroup");
                xml.WriteAttributeString("Condition", $"'$(RuntimeIdentifier)' == '{rid}'");
                foreach (string top in assets.Select(a => a.PackagePath.Split('/')[0]).Distinct(StringComparer.Ordinal))
                {
                    PackageTargetsXml.WriteDeployedFolder(xml, root + top, top);
                }
                xml.WriteEndElement();
            }
            xml.WriteStartElement("Target");
            xml.WriteAttributeString("Name", "_ModelBuildCheckRid_" + guard.Substring("_ModelBuildAssetsImported_".Length));
            xml.WriteAttributeString("BeforeTargets", "Build");
            xml.WriteStartElement("Warning");
            xml.WriteAttributeString("Code", "MB4034");
            xml.WriteAttributeString("Condition", $"'$(RuntimeIdentifier)' == '' or !$([System.String]::Copy(';{string.Join(";", byRid.Keys)};').Contains(';$(RuntimeIdentifier);'))");
            xml.WriteAttributeString("Text", $"{manifest.Id} ships its models in one package per runtime identifier ({string.Join(", ", byRid.Keys)}), and this project's RuntimeIdentifier is '$(RuntimeIdentifier)': no model is deployed. Set <RuntimeIdentifier> to one of them (or build with -r).");
            xml.WriteEndElement();
            xml.WriteEndElement();
        });
        PackageTargetsXml.WriteProject(Path.Combine(manifest.WorkDirectory, manifest.Id + ".targets"),
            xml => PackageTargetsXml.WriteGuardedImport(xml, manifest.Id + ".models.targets", guard));
    }
}
