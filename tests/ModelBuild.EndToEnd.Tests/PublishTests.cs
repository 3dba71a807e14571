using System.Text.Json;
using System.Text.RegularExpressions;
using ModelBuild.EndToEnd.Tests.Infrastructure;
using Xunit;

namespace ModelBuild.EndToEnd.Tests;

/// <summary>
/// <c>dotnet publish -r</c> of testassets/MultiTargetApp (iris, Targets="x64;arm64;cuda"): exactly the variants and
/// ONNX Runtime native files that serve the RID, the cpu fallback for RIDs no CPU variant serves, and MB4021 (Fallback="none").
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PublishTests(PackageFeed feed)
{
    private const string Model = "iris-classifier";
    private const string Class = "IrisClassifier";

    private static readonly string Ort = PackageVersions.OnnxRuntime;

    // Native files per package and RID, as the packages hold them.
    private static readonly string[] LinuxGpu = ["libonnxruntime.so", "libonnxruntime_providers_cuda.so", "libonnxruntime_providers_shared.so", "libonnxruntime_providers_tensorrt.so"];
    // The Windows GPU package's native folder also holds import libraries (.lib), which NuGet would copy: the SDK leaves them out.
    private static readonly string[] WindowsGpu =
        ["onnxruntime.dll", "onnxruntime_providers_cuda.dll", "onnxruntime_providers_shared.dll", "onnxruntime_providers_tensorrt.dll"];
    private static readonly string[] LinuxCpu = ["libonnxruntime.so", "libonnxruntime_providers_shared.so"];
    private static readonly string[] OsxCpu = ["libonnxruntime.dylib"];

    [Fact]
    public void Linux_x64_framework_dependent_ships_x64_and_cuda_with_the_linux_gpu_runtime_and_runs_x64()
    {
        string project = feed.CopyTestAsset("MultiTargetApp", Model);

        string publish = Publish(project, "linux-x64", selfContained: false);

        Assert.Equal(["cuda/iris-classifier.onnx", "x64/iris-classifier.onnx"], ModelFiles(publish));
        Assert.Equal(LinuxGpu, OnnxRuntimeNatives(publish));
        Assert.Equal([$"Microsoft.ML.OnnxRuntime.Gpu.Linux/{Ort}", $"Microsoft.ML.OnnxRuntime.Managed/{Ort}"], OnnxRuntimePackages(project));
        // Without CUDA on this machine Load() picks x64, and ONNX Runtime prints no native "Failed to load library" line:
        // Load() looked for the CUDA libraries before it appended the provider the GPU package lists.
        string output = Dotnet.Run(publish, Path.Combine(publish, "MultiTargetApp.dll")).ShouldSucceed().Output;
        Assert.Contains($"asset: models/{Class}/x64/{Model}.onnx", output);
        Assert.DoesNotContain("Failed to load library", output);
        Assert.Contains("label: 2", output);
    }

    [Fact]
    public void Linux_arm64_ships_arm64_with_the_cpu_runtime()
    {
        string project = feed.CopyTestAsset("MultiTargetApp", Model);

        string publish = Publish(project, "linux-arm64", selfContained: false);

        Assert.Equal(["arm64/iris-classifier.onnx"], ModelFiles(publish));
        Assert.Equal(LinuxCpu, OnnxRuntimeNatives(publish));
        Assert.Equal([$"Microsoft.ML.OnnxRuntime.Managed/{Ort}", $"Microsoft.ML.OnnxRuntime/{Ort}"], OnnxRuntimePackages(project));
    }

    [Fact]
    public void Win_x64_self_contained_ships_x64_and_cuda_with_the_windows_gpu_runtime()
    {
        string project = feed.CopyTestAsset("MultiTargetApp", Model);

        string publish = Publish(project, "win-x64", selfContained: true);

        Assert.Equal(["cuda/iris-classifier.onnx", "x64/iris-classifier.onnx"], ModelFiles(publish));
        Assert.Equal(WindowsGpu, OnnxRuntimeNatives(publish));
        Assert.True(File.Exists(Path.Combine(publish, "coreclr.dll")), "self-contained: the runtime ships");
    }

    [Fact]
    public void Osx_arm64_ships_arm64_without_the_windows_dll_onnx_runtime_adds()
    {
        string project = feed.CopyTestAsset("MultiTargetApp", Model);

        string publish = Publish(project, "osx-arm64", selfContained: false);

        Assert.Equal(["arm64/iris-classifier.onnx"], ModelFiles(publish));
        Assert.Equal(OsxCpu, OnnxRuntimeNatives(publish));
    }

    [Fact]
    public void Cuda_only_ships_the_cpu_fallback_and_says_so_unless_fallback_is_none()
    {
        string project = feed.CopyTestAsset("MultiTargetApp", Model);
        SetModel(project, """Targets="cuda" CudaQuantize="fp16" """);

        Dotnet.Result result = feed.Publish(project, "-r", "linux-x64", "--self-contained", "false").ShouldSucceed();

        string publish = PublishFolder(project, "linux-x64");
        Assert.Equal(["cpu/iris-classifier.onnx", "cuda/iris-classifier.onnx"], ModelFiles(publish));
        Assert.Contains($"{Model}.onnx -> cpu none (fallback for RIDs no CPU target serves): ", result.Output);
        Assert.Contains(result.Output.Split('\n'), l => l.Contains("message MB4022: ", StringComparison.Ordinal) && l.Contains("'linux-x64' needs an accelerator (cuda)", StringComparison.Ordinal));
        string output = Dotnet.Run(publish, Path.Combine(publish, "MultiTargetApp.dll")).ShouldSucceed().Output;
        Assert.Contains($"asset: models/{Class}/cpu/{Model}.onnx", output);

        SetModel(project, """Targets="cuda" CudaQuantize="fp16" Fallback="none" """);
        Directory.Delete(publish, recursive: true);
        Dotnet.Result none = feed.Publish(project, "-r", "linux-x64", "--self-contained", "false").ShouldSucceed();

        Assert.Equal(["cuda/iris-classifier.onnx"], ModelFiles(publish));
        Assert.DoesNotContain("MB4022", none.Output);
        Assert.DoesNotContain("(fallback", none.Output);
    }

    [Fact]
    public void A_rid_that_no_target_serves_gets_the_cpu_fallback_and_is_MB4021_only_with_fallback_none()
    {
        string project = feed.CopyTestAsset("MultiTargetApp", Model);
        SetModel(project, """Targets="mobile" """);

        Dotnet.Result result = feed.Publish(project, "-r", "linux-x64", "--self-contained", "false").ShouldSucceed();

        string publish = PublishFolder(project, "linux-x64");
        Assert.Equal(["cpu/iris-classifier.onnx"], ModelFiles(publish));
        Assert.Contains(result.Output.Split('\n'), l => l.Contains("message MB4022: ", StringComparison.Ordinal) && l.Contains("serves 'linux-x64'", StringComparison.Ordinal));

        SetModel(project, """Targets="mobile" Fallback="none" """);
        Dotnet.Result none = feed.Publish(project, "-r", "linux-x64", "--self-contained", "false");

        Assert.NotEqual(0, none.ExitCode);
        string error = none.Output.Split('\n').First(l => l.Contains("error MB4021", StringComparison.Ordinal));
        Assert.Contains($"models/{Model}.onnx", error);
        Assert.Contains("'linux-x64'", error);
        Assert.Contains("mobile serves android-arm64, ios-arm64", error);
    }

    [Theory]
    [InlineData("linux-x64", "Microsoft.ML.OnnxRuntime.Gpu.Linux")]
    [InlineData("win-x64", "Microsoft.ML.OnnxRuntime.Gpu.Windows")]
    [InlineData("linux-arm64", "Microsoft.ML.OnnxRuntime")]   // cuda does not serve it: the CPU package
    public void Cuda_targets_reference_the_gpu_package_for_the_rid_unless_the_project_has_its_own(string rid, string expected)
    {
        string project = feed.CopyTestAsset("MultiTargetApp", Model);

        Assert.Equal([expected, "ModelBuild.Runtime"], PackageReferences(project, rid));

        // A project's own ONNX Runtime package (here the CPU one, pinned) stands both defaults down.
        string csproj = Path.Combine(project, "MultiTargetApp.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("<ItemGroup>", $"""<ItemGroup><PackageReference Include="Microsoft.ML.OnnxRuntime" Version="{Ort}" />"""));
        Assert.Equal(["Microsoft.ML.OnnxRuntime", "ModelBuild.Runtime"], PackageReferences(project, rid));
    }

    [Fact]
    public void PackageReference_form_gets_the_gpu_runtime_by_the_readme_recipe()
    {
        // As a package, ModelBuild.Sdk's nuspec brings the CPU package; the README's recipe swaps it for the GPU one.
        string project = feed.CopyTestAsset("Sample", Model);
        string csproj = Path.Combine(project, "Sample.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj)
            .Replace("""<Model Include="models/iris-classifier.onnx" />""", """<Model Include="models/iris-classifier.onnx" Targets="x64;cuda" CudaQuantize="fp16" />""")
            .Replace("""<PackageReference Include="ModelBuild.Sdk" Version="$(ModelBuildSdkVersion)" />""", $"""
                <PackageReference Include="ModelBuild.Sdk" Version="$(ModelBuildSdkVersion)" />
                <PackageReference Include="Microsoft.ML.OnnxRuntime" Version="{Ort}" ExcludeAssets="all" />
                <PackageReference Include="Microsoft.ML.OnnxRuntime.Gpu.Linux" Version="{Ort}" />
                """));

        string publish = Publish(project, "linux-x64", selfContained: false);

        Assert.Equal(["cuda/iris-classifier.onnx", "x64/iris-classifier.onnx"], ModelFiles(publish));
        Assert.Equal(LinuxGpu, OnnxRuntimeNatives(publish));
        Assert.Contains("virginica", Dotnet.Run(publish, Path.Combine(publish, "Sample.dll")).ShouldSucceed().Output);
    }

    /// <summary>The PackageReference items as MSBuild evaluates the project for a RID (no restore).</summary>
    private string[] PackageReferences(string project, string rid)
    {
        string json = Dotnet.Run(project, "msbuild", "-nodeReuse:false", "-getItem:PackageReference", $"-p:RuntimeIdentifier={rid}",
            $"-p:ModelBuildSdkVersion={feed.Version}").ShouldSucceed().Output;
        using JsonDocument items = JsonDocument.Parse(json);
        return items.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!).Order(StringComparer.Ordinal).ToArray();
    }

    private string Publish(string project, string rid, bool selfContained)
    {
        feed.Publish(project, "-r", rid, "--self-contained", selfContained ? "true" : "false").ShouldSucceed();
        return PublishFolder(project, rid);
    }

    private static string PublishFolder(string project, string rid) => Path.Combine(project, "bin", "Release", "net10.0", rid, "publish");

    /// <summary>Replaces the metadata of the project's Model item.</summary>
    private static void SetModel(string project, string metadata)
    {
        string csproj = Path.Combine(project, "MultiTargetApp.csproj");
        string text = Regex.Replace(File.ReadAllText(csproj), $"""<Model Include="models/{Model}.onnx" [^>]*/>""", $"""<Model Include="models/{Model}.onnx" {metadata}/>""");
        Assert.Contains(metadata, text);
        File.WriteAllText(csproj, text);
    }

    /// <summary>Every file under publish/models/IrisClassifier, as target/file.</summary>
    private static string[] ModelFiles(string publish)
    {
        string models = Path.Combine(publish, "models", Class);
        return Directory.EnumerateFiles(models, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(models, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every ONNX Runtime native library anywhere in the publish folder (relative paths), managed assembly aside.</summary>
    private static string[] OnnxRuntimeNatives(string publish) =>
        Directory.EnumerateFiles(publish, "*onnxruntime*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(publish, f).Replace('\\', '/'))
            .Where(f => f != "Microsoft.ML.OnnxRuntime.dll")
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>The ONNX Runtime packages restore resolved for the project (obj/project.assets.json).</summary>
    private static string[] OnnxRuntimePackages(string project)
    {
        using JsonDocument assets = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(project, "obj", "project.assets.json")));
        return assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name)
            .Where(n => n.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
    }
}
