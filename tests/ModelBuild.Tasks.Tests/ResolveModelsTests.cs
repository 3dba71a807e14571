namespace ModelBuild.Tasks.Tests;

/// <summary>ResolveModels inside a real MSBuild process.</summary>
public sealed class ResolveModelsTests
{
    private sealed record Resolved(
        string FullPath, string OriginalItemSpec, string ClassName, string Namespace, string Access,
        string OutputDirectory, string SignatureFile, string AssetListFile, string OptionsFile, string AssetPathPrefix);

    private static Dictionary<string, Resolved> ReadResolved(TempFolder temp) =>
        File.ReadAllLines(temp.File("resolved.txt"))
            .Select(l => l.Split('|'))
            .Select(p => new Resolved(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9]))
            .ToDictionary(r => r.ClassName, StringComparer.Ordinal);

    [Fact]
    public void Resolves_class_name_namespace_access_and_paths()
    {
        using var temp = new TempFolder();
        temp.Touch("models/mnist-classifier.onnx", "models/ch_PP-OCRv4_rec.onnx", "models/3d-net.onnx");
        string project = MsBuild.WriteProject(temp.Path, """
                <Model Include="models/mnist-classifier.onnx" />
                <Model Include="models/ch_PP-OCRv4_rec.onnx" Namespace="Custom.Ocr" Access="internal" />
                <Model Include="models/3d-net.onnx" ClassName=" Net3D " Namespace="  " Access="public" />
            """);

        MsBuild.Result result = MsBuild.Run(project, "Resolve");

        Assert.True(result.ExitCode == 0, result.Output);
        Dictionary<string, Resolved> models = ReadResolved(temp);
        Assert.Equal(["ChPPOCRv4Rec", "MnistClassifier", "Net3D"], models.Keys.Order(StringComparer.Ordinal));

        string obj = temp.File("obj/modelbuild/");
        Resolved mnist = models["MnistClassifier"];
        Assert.Equal(temp.File("models/mnist-classifier.onnx"), mnist.FullPath);
        Assert.Equal("models/mnist-classifier.onnx", mnist.OriginalItemSpec);
        Assert.Equal("Default.Models", mnist.Namespace);
        Assert.Equal("public", mnist.Access);
        Assert.Equal(Path.Combine(obj, "MnistClassifier") + Path.DirectorySeparatorChar, mnist.OutputDirectory);
        Assert.Equal(Path.Combine(obj, "MnistClassifier.modelsig.json"), mnist.SignatureFile);
        Assert.Equal(Path.Combine(obj, "MnistClassifier.assets.txt"), mnist.AssetListFile);
        Assert.Equal(Path.Combine(obj, "MnistClassifier.options"), mnist.OptionsFile);
        Assert.Equal("models/MnistClassifier/", mnist.AssetPathPrefix);

        Resolved ocr = models["ChPPOCRv4Rec"];
        Assert.Equal("Custom.Ocr", ocr.Namespace);
        Assert.Equal("internal", ocr.Access);

        Resolved net = models["Net3D"];   // metadata is trimmed; blank metadata falls back to the default
        Assert.Equal("Default.Models", net.Namespace);
        Assert.Equal("models/Net3D/", net.AssetPathPrefix);

        Assert.Equal(
            "compiler=test-1\nClassName=ChPPOCRv4Rec\nNamespace=Custom.Ocr\nAccess=internal\nAssetPathPrefix=models/ChPPOCRv4Rec/\nModelVersion=\n" +
            "Quantize=none\nTargets=cpu\nFallback=cpu\nOptimize=extended\nVerify=error\nMinCosine=\nMaxAbsError=\nVerifySamples=8\nSampleInputs=\nSampleShapes=\nMobileShapes=\nVerifyTimeout=\nVerifyMemoryLimit=\nTargetQuantize=\n",
            File.ReadAllText(ocr.OptionsFile));
    }

    [Fact]
    public void Default_namespace_comes_from_the_task_parameter()
    {
        using var temp = new TempFolder();
        temp.Touch("m.onnx");
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="m.onnx" />""");

        MsBuild.Result result = MsBuild.Run(project, "Resolve", "DefaultNs=Contoso.App.Models");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("Contoso.App.Models", ReadResolved(temp)["M"].Namespace);
    }

    [Fact]
    public void Bad_items_are_reported_as_MSBuild_errors_with_their_code_and_item()
    {
        using var temp = new TempFolder();
        temp.Touch("ok.onnx", "keyword.onnx", "a-b.onnx", "a_b.onnx", "bad-ns.onnx", "bad-access.onnx", "zwsp.onnx");
        string project = MsBuild.WriteProject(temp.Path, """
                <Model Include="ok.onnx" />
                <Model Include="missing/nowhere.onnx" />
                <Model Include="keyword.onnx" ClassName="class" />
                <Model Include="zwsp.onnx" ClassName="Net&#x200B;Work" />
                <Model Include="a-b.onnx" />
                <Model Include="a_b.onnx" />
                <Model Include="bad-ns.onnx" Namespace="App..Models" />
                <Model Include="bad-access.onnx" Access="private" />
            """);

        MsBuild.Result result = MsBuild.Run(project, "Resolve");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal(6, result.ErrorCount);
        string[] lines = result.Lines;
        AssertError(lines, "missing/nowhere.onnx", "MB4001", temp.File("missing/nowhere.onnx"));
        AssertError(lines, "keyword.onnx", "MB4002", "'class'");
        AssertError(lines, "zwsp.onnx", "MB4002", "ClassName");
        AssertError(lines, "a_b.onnx", "MB4003", "'a-b.onnx' and 'a_b.onnx' both generate class 'AB'");
        AssertError(lines, "bad-ns.onnx", "MB4004", "'App..Models'");
        AssertError(lines, "bad-access.onnx", "MB4005", "'private'");
        Assert.DoesNotContain(lines, l => l.StartsWith("ok.onnx", StringComparison.Ordinal) && l.Contains("error", StringComparison.Ordinal));
    }

    [Fact]
    public void The_generators_naming_rules_are_checked_before_compiling()
    {
        // Each of these passed the old identifier check and then failed in the generator (MB2003) after the model compiled.
        using var temp = new TempFolder();
        temp.Touch("s.onnx", "l.onnx", "r.onnx", "g.onnx", "d.onnx");
        string project = MsBuild.WriteProject(temp.Path, """
                <Model Include="s.onnx" ClassName="Session" />
                <Model Include="l.onnx" ClassName="model" />
                <Model Include="r.onnx" ClassName="record" />
                <Model Include="g.onnx" Namespace="App.global" />
                <Model Include="d.onnx" ClassName="Description" />
            """);

        MsBuild.Result result = MsBuild.Run(project, "Resolve");

        Assert.Equal(5, result.ErrorCount);
        AssertError(result.Lines, "s.onnx", "MB4002", "member of the generated model class");
        AssertError(result.Lines, "l.onnx", "MB4002", "lower-case ASCII");
        AssertError(result.Lines, "r.onnx", "MB4002", "lower-case ASCII");
        AssertError(result.Lines, "g.onnx", "MB4004", "'global'");
        AssertError(result.Lines, "d.onnx", "MB4002", "member of the generated model class");
    }

    [Fact]
    public void Model_folders_of_other_formats_fail_with_their_export_command()
    {
        using var temp = new TempFolder();
        temp.Touch("exported/saved_model.pb", "net.mlpackage/Manifest.json");
        string project = MsBuild.WriteProject(temp.Path, """
                <Model Include="exported" />
                <Model Include="net.mlpackage" />
            """);

        MsBuild.Result result = MsBuild.Run(project, "Resolve");

        Assert.True(result.ExitCode == 1, result.Output);
        AssertError(result.Lines, "exported", "MB1101", "python -m tf2onnx.convert --saved-model");
        AssertError(result.Lines, "net.mlpackage", "MB1103", "Core ML");
    }

    private static void AssertError(string[] lines, string item, string code, string messagePart) =>
        Assert.True(
            lines.Any(l => l.StartsWith($"{item} : error {code}: ", StringComparison.Ordinal) && l.Contains(messagePart, StringComparison.Ordinal)),
            $"expected '{item} : error {code}: …{messagePart}…' in:\n{string.Join("\n", lines)}");

    [Fact]
    public void Options_stamp_is_rewritten_only_when_metadata_changes()
    {
        using var temp = new TempFolder();
        temp.Touch("net.onnx");
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="net.onnx" />""");
        string stamp = temp.File("obj/modelbuild/Net.options");
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        Assert.Equal(0, MsBuild.Run(project, "Resolve").ExitCode);
        Assert.Contains("Namespace=Default.Models\n", File.ReadAllText(stamp));
        File.SetLastWriteTimeUtc(stamp, old);

        MsBuild.Result same = MsBuild.Run(project, "Resolve");
        Assert.True(same.ExitCode == 0, same.Output);
        Assert.Equal(old, File.GetLastWriteTimeUtc(stamp));

        MsBuild.Result changed = MsBuild.Run(project, "Resolve", "DefaultNs=Other.Models");
        Assert.True(changed.ExitCode == 0, changed.Output);
        Assert.NotEqual(old, File.GetLastWriteTimeUtc(stamp));
        Assert.Contains("Namespace=Other.Models\n", File.ReadAllText(stamp));

        File.SetLastWriteTimeUtc(stamp, old);
        MsBuild.Result newCompiler = MsBuild.Run(project, "Resolve", "DefaultNs=Other.Models", "CompilerIdentity=test-2");
        Assert.True(newCompiler.ExitCode == 0, newCompiler.Output);
        Assert.NotEqual(old, File.GetLastWriteTimeUtc(stamp));
        Assert.StartsWith("compiler=test-2\n", File.ReadAllText(stamp));
    }
}
