using System.Security;
using System.Text.Json;
using ModelBuild.Shared;

namespace ModelBuild.Tasks.Tests;

/// <summary>
/// The shipping rule in real MSBuild: which variants ship for a RuntimeIdentifier (SelectRuntimeAssets, publish -r), the
/// cpu fallback, MB4021 only with Fallback="none", and PerRid pack (WriteModelPackManifest) shipping the same set.
/// </summary>
public sealed class SelectRuntimeAssetsTests
{
    /// <summary>
    /// A model with one asset per listed target (as compiled: with Fallback="cpu" a cpu asset too). Writes the assets
    /// that stay (class/target) to kept.txt.
    /// </summary>
    private static string Project(string folder, string targets, string assets, string fallback = "cpu") => WriteProject(folder, $"""
            <Resolved Include="net.onnx" ClassName="Net" Targets="{targets}" Fallback="{fallback}" OriginalItemSpec="models/net.onnx" />
            <Resolved Include="other.onnx" ClassName="Other" Targets="cpu" Fallback="cpu" OriginalItemSpec="other.onnx" />
            <Asset Include="other/cpu/other.onnx" ModelBuildClass="Other" ModelBuildTarget="cpu" />
            {Assets("Net", assets)}
        """);

    private static string Assets(string className, string targets) =>
        string.Concat(targets.Split(';').Select(t => $"""<Asset Include="{className}/{t}/m.onnx" ModelBuildClass="{className}" ModelBuildTarget="{t}" TargetPath="models/{className}/{t}/m.onnx" />"""));

    private static string WriteProject(string folder, string items)
    {
        string tasks = SecurityElement.Escape(MsBuild.TasksAssembly);
        string project = $"""
            <Project>
              <UsingTask TaskName="ModelBuild.Tasks.SelectRuntimeAssets" AssemblyFile="{tasks}" />
              <UsingTask TaskName="ModelBuild.Tasks.WriteModelPackManifest" AssemblyFile="{tasks}" />
              <ItemGroup>
            {items}
              </ItemGroup>
              <Target Name="Select">
                <SelectRuntimeAssets Models="@(Resolved)" Assets="@(Asset)" RuntimeIdentifier="$(RuntimeIdentifier)" ContinueOnError="ErrorAndContinue">
                  <Output TaskParameter="ExcludedAssets" ItemName="Excluded" />
                </SelectRuntimeAssets>
                <ItemGroup>
                  <Asset Remove="@(Excluded)" />
                </ItemGroup>
                <WriteLinesToFile File="kept.txt" Overwrite="true" Lines="@(Asset->'%(ModelBuildClass)/%(ModelBuildTarget)')" />
              </Target>
              <!-- Publish per RID (errors go on: MB4021 is recorded per RID) and the PerRid pack manifest. -->
              <Target Name="Matrix">
                <MSBuild Projects="$(MSBuildProjectFullPath)" Targets="Select" Properties="RuntimeIdentifier=%(Rid.Identity);Kept=%(Rid.Identity)" ContinueOnError="true" />
                <WriteModelPackManifest Models="@(Resolved)" Assets="@(Asset)" PackageId="P" PackageVersion="1.0.0" OutputDirectory="feed" WorkDirectory="work" ManifestFile="pack.json" />
              </Target>
            </Project>
            """;
        string path = Path.Combine(folder, "select.proj");
        File.WriteAllText(path, project.Replace("File=\"kept.txt\"", "File=\"kept-$(Kept).txt\""));
        return path;
    }

    private static string[] Kept(TempFolder temp, string rid = "") => File.ReadAllLines(temp.File($"kept-{rid}.txt")).Order(StringComparer.Ordinal).ToArray();

    [Theory]
    [InlineData("x64;arm64;cuda", "cpu;x64;arm64;cuda", "linux-x64", "x64;cuda")]
    [InlineData("x64;arm64;cuda", "cpu;x64;arm64;cuda", "win-x64", "x64;cuda")]
    [InlineData("x64;arm64;cuda", "cpu;x64;arm64;cuda", "osx-x64", "x64")]
    [InlineData("x64;arm64;cuda", "cpu;x64;arm64;cuda", "linux-arm64", "arm64")]
    [InlineData("cpu;mobile", "cpu;mobile", "ios-arm64", "cpu;mobile")]
    [InlineData("cpu;mobile", "cpu;mobile", "linux-x64", "cpu")]
    [InlineData("arm64;cuda", "cpu;arm64;cuda", "linux-arm64", "arm64")]          // the fallback is not needed there
    public void Only_the_variants_serving_the_rid_ship(string targets, string assets, string rid, string kept)
    {
        using var temp = new TempFolder();
        MsBuild.Result result = MsBuild.Run(Project(temp.Path, targets, assets), "Select", $"RuntimeIdentifier={rid}");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(kept.Split(';').Select(t => "Net/" + t).Append("Other/cpu").Order(StringComparer.Ordinal), Kept(temp));
        Assert.DoesNotContain("MB4022", result.Output);
    }

    [Theory]
    [InlineData("cuda", "linux-x64")]
    [InlineData("arm64;cuda", "win-x64")]
    public void Accelerator_only_rids_get_the_cpu_fallback_and_say_so(string targets, string rid)
    {
        using var temp = new TempFolder();
        MsBuild.Result result = MsBuild.Run(Project(temp.Path, targets, "cpu;" + targets), "Select", $"RuntimeIdentifier={rid}");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(["Net/cpu", "Net/cuda", "Other/cpu"], Kept(temp));
        Assert.Contains(result.Lines, l => l.StartsWith("models/net.onnx : message MB4022: ", StringComparison.Ordinal) && l.Contains($"'{rid}' needs an accelerator (cuda)"));
    }

    [Theory]
    [InlineData("mobile", "linux-x64")]
    [InlineData("x64;cuda", "linux-arm64")]
    [InlineData("cuda", "osx-arm64")]
    [InlineData("x64", "linux-musl-x64")]   // a RID outside the target table
    public void A_rid_no_target_serves_gets_the_cpu_fallback(string targets, string rid)
    {
        using var temp = new TempFolder();
        MsBuild.Result result = MsBuild.Run(Project(temp.Path, targets, "cpu;" + targets), "Select", $"RuntimeIdentifier={rid}");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(["Net/cpu", "Other/cpu"], Kept(temp));
        Assert.Contains(result.Lines, l => l.StartsWith("models/net.onnx : message MB4022: ", StringComparison.Ordinal) && l.Contains($"serves '{rid}'"));
    }

    [Fact]
    public void Fallback_none_ships_the_accelerator_variant_alone()
    {
        using var temp = new TempFolder();
        MsBuild.Result result = MsBuild.Run(Project(temp.Path, "arm64;cuda", "arm64;cuda", fallback: "none"), "Select", "RuntimeIdentifier=linux-x64");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(["Net/cuda", "Other/cpu"], Kept(temp));
        Assert.DoesNotContain("MB4022", result.Output);
    }

    [Theory]
    [InlineData("mobile", "linux-x64", "mobile serves android-arm64, ios-arm64")]
    [InlineData("x64;cuda", "linux-arm64", "x64 serves linux-x64, win-x64, osx-x64; cuda serves linux-x64, win-x64")]
    [InlineData("cuda", "osx-arm64", "cuda serves linux-x64, win-x64")]
    public void With_fallback_none_no_variant_for_the_rid_is_MB4021_listing_targets_and_their_rids(string targets, string rid, string servedBy)
    {
        using var temp = new TempFolder();
        MsBuild.Result result = MsBuild.Run(Project(temp.Path, targets, targets, fallback: "none"), "Select", $"RuntimeIdentifier={rid}");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal(["MB4021"], result.ErrorCodes.Distinct());
        Assert.Contains(result.Lines, l => l.StartsWith("models/net.onnx : error MB4021: ", StringComparison.Ordinal)
                                           && l.Contains($"'{rid}'") && l.Contains(servedBy) && l.Contains("Add a target that serves"));
    }

    /// <summary>
    /// Every RID of the target table against every single target and the testassets' combinations, with both Fallback
    /// values: publish -r (SelectRuntimeAssets) ships exactly what the PerRid pack puts in that RID's model package, every
    /// RID gets a CPU variant with Fallback="cpu", and only Fallback="none" leaves a RID with nothing (MB4021).
    /// </summary>
    [Fact]
    public void Publish_and_PerRid_pack_ship_the_same_variants_for_every_rid_and_target()
    {
        string[] combinations = [.. BuildTargets.All.Select(t => t.Name), "x64;arm64", "x64;arm64;cuda", "x64;arm64;cuda;mobile", "arm64;cuda", "cpu;mobile"];
        var models = new List<(string Class, string Targets, string Fallback)>();
        var items = new System.Text.StringBuilder();
        foreach (string fallback in new[] { "cpu", "none" })
        {
            foreach (string targets in combinations)
            {
                string className = $"M{models.Count}";
                models.Add((className, targets, fallback));
                string compiled = ShippingRule.NeedsCpuFallback(targets.Split(';'), fallback == "cpu") ? "cpu;" + targets : targets;
                items.Append($"""<Resolved Include="{className}.onnx" ClassName="{className}" Targets="{targets}" Fallback="{fallback}" OriginalItemSpec="{className}.onnx" />""")
                     .Append(Assets(className, compiled)).Append('\n');
            }
        }
        using var temp = new TempFolder();
        string rids = string.Join("", BuildTargets.KnownRids.Select(r => $"""<Rid Include="{r}" />"""));
        string project = WriteProject(temp.Path, items + rids);

        MsBuild.Result result = MsBuild.Run(project, "Matrix");

        using JsonDocument pack = JsonDocument.Parse(File.ReadAllText(temp.File("pack.json")));
        foreach (string rid in BuildTargets.KnownRids)
        {
            string[] packed = pack.RootElement.GetProperty("rids").GetProperty(rid).EnumerateArray()
                .Select(a => a.GetProperty("packagePath").GetString()!.Split('/')).Select(p => $"{p[1]}/{p[2]}").Order(StringComparer.Ordinal).ToArray();
            string[] failed = models.Where(m => result.Lines.Any(l => l.StartsWith($"{m.Class}.onnx : error MB4021: ", StringComparison.Ordinal) && l.Contains($"'{rid}'")))
                .Select(m => m.Class).ToArray();
            // A model publish refuses (MB4021) ships nothing and is in no package; every other model ships what it packs.
            Assert.Equal(packed, Kept(temp, rid).Where(k => !failed.Contains(k.Split('/')[0])));
            foreach (var (className, targets, fallback) in models)
            {
                string[] shipped = packed.Where(p => p.StartsWith(className + "/", StringComparison.Ordinal)).Select(p => p.Split('/')[1]).ToArray();
                bool cpuVariant = shipped.Any(t => !BuildTargets.Find(t)!.IsAccelerator);
                Assert.True(fallback == "none" || cpuVariant, $"{className} (Targets=\"{targets}\") has no CPU variant for {rid}");
                Assert.Equal(shipped.Length == 0, failed.Contains(className));
            }
        }
    }
}
