using System.Security;

namespace ModelBuild.Tasks.Tests;

/// <summary>SelectRuntimeAssets in real MSBuild: which variants ship for a RuntimeIdentifier, the cpu fallback, MB4021.</summary>
public sealed class SelectRuntimeAssetsTests
{
    /// <summary>
    /// A model with one asset per listed target; the RID map as ModelBuild.Sdk.props declares it. Writes the assets
    /// that stay (target names) to kept.txt.
    /// </summary>
    private static string Project(string folder, string targets, string assets, string fallback = "cpu") => WriteProject(folder, $"""
            <Resolved Include="net.onnx" ClassName="Net" Targets="{targets}" Fallback="{fallback}" OriginalItemSpec="models/net.onnx" />
            <Resolved Include="other.onnx" ClassName="Other" Targets="cpu" Fallback="cpu" OriginalItemSpec="other.onnx" />
            <Asset Include="other/cpu/other.onnx" ModelBuildClass="Other" ModelBuildTarget="cpu" />
            {string.Concat(assets.Split(';').Select(t => $"""<Asset Include="net/{t}/net.onnx" ModelBuildClass="Net" ModelBuildTarget="{t}" />"""))}
        """);

    private static string WriteProject(string folder, string items)
    {
        string project = $"""
            <Project>
              <UsingTask TaskName="ModelBuild.Tasks.SelectRuntimeAssets" AssemblyFile="{SecurityElement.Escape(MsBuild.TasksAssembly)}" />
              <ItemGroup>
                <ModelBuildTargetRid Include="cpu" Rids="any" />
                <ModelBuildTargetRid Include="x64" Rids="linux-x64;win-x64;osx-x64" />
                <ModelBuildTargetRid Include="arm64" Rids="linux-arm64;win-arm64;osx-arm64" />
                <ModelBuildTargetRid Include="cuda" Rids="linux-x64;win-x64" Accelerator="true" />
                <ModelBuildTargetRid Include="mobile" Rids="android-arm64;ios-arm64" />
            {items}
              </ItemGroup>
              <Target Name="Select">
                <SelectRuntimeAssets Models="@(Resolved)" Assets="@(Asset)" TargetRids="@(ModelBuildTargetRid)" RuntimeIdentifier="$(RuntimeIdentifier)">
                  <Output TaskParameter="ExcludedAssets" ItemName="Excluded" />
                </SelectRuntimeAssets>
                <ItemGroup>
                  <Asset Remove="@(Excluded)" />
                </ItemGroup>
                <WriteLinesToFile File="kept.txt" Overwrite="true" Lines="@(Asset->'%(ModelBuildClass)/%(ModelBuildTarget)')" />
              </Target>
            </Project>
            """;
        string path = Path.Combine(folder, "select.proj");
        File.WriteAllText(path, project);
        return path;
    }

    [Theory]
    [InlineData("x64;arm64;cuda", "x64;arm64;cuda", "linux-x64", "x64;cuda")]
    [InlineData("x64;arm64;cuda", "x64;arm64;cuda", "win-x64", "x64;cuda")]
    [InlineData("x64;arm64;cuda", "x64;arm64;cuda", "osx-x64", "x64")]
    [InlineData("x64;arm64;cuda", "x64;arm64;cuda", "linux-arm64", "arm64")]
    [InlineData("cpu;mobile", "cpu;mobile", "ios-arm64", "cpu;mobile")]
    [InlineData("cpu;mobile", "cpu;mobile", "linux-x64", "cpu")]
    [InlineData("arm64;cuda", "cpu;arm64;cuda", "linux-arm64", "arm64")]          // the fallback is not needed there
    public void Only_the_variants_serving_the_rid_ship(string targets, string assets, string rid, string kept)
    {
        using var temp = new TempFolder();
        MsBuild.Result result = MsBuild.Run(Project(temp.Path, targets, assets), "Select", $"RuntimeIdentifier={rid}");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(kept.Split(';').Select(t => "Net/" + t).Append("Other/cpu").Order(), File.ReadAllLines(temp.File("kept.txt")).Order());
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
        Assert.Equal(["Net/cpu", "Net/cuda", "Other/cpu"], File.ReadAllLines(temp.File("kept.txt")).Order());
        Assert.Contains(result.Lines, l => l.StartsWith("models/net.onnx : message MB4022: ", StringComparison.Ordinal) && l.Contains($"'{rid}' needs an accelerator (cuda)"));
    }

    [Fact]
    public void Fallback_none_ships_the_accelerator_variant_alone()
    {
        using var temp = new TempFolder();
        MsBuild.Result result = MsBuild.Run(Project(temp.Path, "arm64;cuda", "arm64;cuda", fallback: "none"), "Select", "RuntimeIdentifier=linux-x64");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(["Net/cuda", "Other/cpu"], File.ReadAllLines(temp.File("kept.txt")).Order());
        Assert.DoesNotContain("MB4022", result.Output);
    }

    [Theory]
    [InlineData("mobile", "linux-x64", "mobile serves android-arm64, ios-arm64")]
    [InlineData("x64;cuda", "linux-arm64", "x64 serves linux-x64, win-x64, osx-x64; cuda serves linux-x64, win-x64")]
    [InlineData("cuda", "osx-arm64", "cuda serves linux-x64, win-x64")]   // a cpu fallback serves only beside an accelerator
    public void No_variant_for_the_rid_is_MB4021_listing_targets_and_their_rids(string targets, string rid, string servedBy)
    {
        using var temp = new TempFolder();
        MsBuild.Result result = MsBuild.Run(Project(temp.Path, targets, targets), "Select", $"RuntimeIdentifier={rid}");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal(["MB4021"], result.ErrorCodes.Distinct());
        Assert.Contains(result.Lines, l => l.StartsWith("models/net.onnx : error MB4021: ", StringComparison.Ordinal)
                                           && l.Contains($"'{rid}'") && l.Contains(servedBy) && l.Contains("Add a target that serves"));
    }
}
