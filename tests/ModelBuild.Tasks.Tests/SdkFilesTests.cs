using System.Security;
using System.Xml.Linq;
using ModelBuild.Shared;
using ModelZoo;

namespace ModelBuild.Tasks.Tests;

/// <summary>
/// The SDK's props and targets against the shared tables (target table, option schema), and its public extension
/// points run by real MSBuild over the real files.
/// </summary>
public sealed class SdkFilesTests
{
    private static readonly string Build = Path.Combine(RepositoryRoot(), "sdk", "ModelBuild.Sdk", "build");

    [Fact]
    public void The_props_target_items_are_the_target_table()
    {
        XElement[] items = XDocument.Load(Path.Combine(Build, "ModelBuild.Sdk.props")).Descendants("ModelBuildTargetRid").ToArray();

        Assert.Equal(BuildTargets.All.Select(t => t.Name), items.Select(i => (string?)i.Attribute("Include")));
        foreach (BuildTarget target in BuildTargets.All)
        {
            XElement item = items.Single(i => (string?)i.Attribute("Include") == target.Name);
            Assert.Equal(target.Rids, ((string?)item.Attribute("Rids"))!.Split(';'));
            Assert.Equal(target.IsAccelerator, (string?)item.Attribute("Accelerator") == "true");
        }
    }

    [Fact]
    public void The_item_definition_lists_every_option_of_the_schema_and_every_per_target_override()
    {
        string[] defined = XDocument.Load(Path.Combine(Build, "ModelBuild.Sdk.targets")).Descendants("ItemDefinitionGroup")
            .Elements("Model").Elements().Select(e => e.Name.LocalName).ToArray();

        string[] expected =
        [
            "ClassName", "Namespace", "Access", "ModelVersion",
            .. CompileOptions.All.Select(o => o.Name),
            .. CompileOptions.All.Where(o => o.PerTarget).SelectMany(o => BuildTargets.All.Select(t => o.PerTargetName(t.Name))),
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), defined.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Hooks_run_around_compilation_and_UsingModelBuildSdk_is_set()
    {
        using var temp = new TempFolder();
        Zoo.Write("external-data.onnx", temp.File("models"));
        // The SDK's build folder as packed: the versions file is written at pack time.
        string build = temp.File("sdk/build");
        Directory.CreateDirectory(build);
        foreach (string file in Directory.GetFiles(Build))
        {
            File.Copy(file, Path.Combine(build, Path.GetFileName(file)));
        }
        File.WriteAllText(Path.Combine(build, "ModelBuild.Sdk.Versions.props"), "<Project />");
        string project = temp.File("app.proj");
        File.WriteAllText(project, $"""
            <Project>
              <Import Project="sdk/build/ModelBuild.Sdk.props" />
              <PropertyGroup>
                <ModelBuildTasksAssembly>{SecurityElement.Escape(MsBuild.TasksAssembly)}</ModelBuildTasksAssembly>
                <ModelBuildCompilerPath>{SecurityElement.Escape(MsBuild.CompilerPath)}</ModelBuildCompilerPath>
                <ModelBuildVersion>test-1</ModelBuildVersion>
                <IntermediateOutputPath>obj/</IntermediateOutputPath>
                <ModelBuildCacheDirectory>$(MSBuildProjectDirectory)/cache</ModelBuildCacheDirectory>
              </PropertyGroup>
              <ItemGroup>
                <Model Include="models/external-data.onnx" />
              </ItemGroup>
              <Import Project="sdk/build/ModelBuild.Sdk.targets" />
              <Target Name="AddModel" BeforeTargets="ModelBuildBeforeCompile">
                <ItemGroup>
                  <Model Update="@(Model)" ClassName="Hooked" />
                </ItemGroup>
                <WriteLinesToFile File="hooks.txt" Lines="before:$(UsingModelBuildSdk)" />
              </Target>
              <Target Name="ReadReports" AfterTargets="ModelBuildAfterCompile">
                <WriteLinesToFile File="hooks.txt" Lines="@(ModelBuildResolvedModel->'after:%(ClassName):%(SignatureFile)')" />
              </Target>
            </Project>
            """);

        MsBuild.Result result = MsBuild.Run(project, "ModelBuildGenerate", "DesignTimeBuild=true");

        Assert.True(result.ExitCode == 0, result.Output);
        string[] hooks = File.ReadAllLines(temp.File("hooks.txt"));
        Assert.Equal("before:true", hooks[0]);
        string after = Assert.Single(hooks.Skip(1));
        Assert.StartsWith("after:Hooked:", after);
        Assert.True(File.Exists(after["after:Hooked:".Length..]), "the hook after compilation sees the compiled signature");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ModelBuild.sln not found above " + AppContext.BaseDirectory);
    }
}
