using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using ModelZoo.Models;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Tasks.Tests;

/// <summary>CompileModels inside a real MSBuild process, running the real compiler.</summary>
public sealed class CompileModelsTests
{
    private const string FakeLine = "x.onnx(1,1): error XX0001: fake";

    [Fact]
    public void Valid_model_compiles()
    {
        using var temp = new TempFolder();
        Zoo.Write("external-data.onnx", temp.File("models"));
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="models/external-data.onnx" ClassName="Ext" />""");

        MsBuild.Result result = MsBuild.Run(project, "Compile");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(0, result.ErrorCount);
        string obj = temp.File("obj/modelbuild");
        // The default variant (cpu, fp32) holds the external tensors inline: one asset.
        Assert.True(File.Exists(Path.Combine(obj, "Ext", "cpu", "external-data.onnx")));
        Assert.Equal("cpu/external-data.onnx\n", File.ReadAllText(Path.Combine(obj, "Ext.assets.txt")));
        string signature = File.ReadAllText(Path.Combine(obj, "Ext.modelsig.json"));
        Assert.Contains("\"namespace\": \"Default.Models\"", signature);
        Assert.Contains("\"assetPath\": \"models/Ext/cpu/external-data.onnx\"", signature);
        Assert.True(File.Exists(Path.Combine(obj, "compile.json")));
        Assert.True(File.Exists(Path.Combine(obj, "Ext.report.json")));
        Assert.Equal(temp.File(Path.Combine("models", ExternalDataModel.DataFileName)) + "\n", File.ReadAllText(Path.Combine(obj, "Ext.dependencies.txt")));
        // The compiler's report line (a protocol message) is shown at normal verbosity, decoded.
        Assert.Contains("external-data.onnx -> cpu none: ", result.Output);
    }

    [Theory]
    [InlineData("truncated.onnx", "MB1003")]
    [InlineData("not-a-model.onnx", "MB1004")]
    public void Invalid_model_fails_the_build_with_the_compilers_code(string name, string code)
    {
        using var temp = new TempFolder();
        Zoo.Write(name, temp.File("models"));
        Zoo.Write("iris-classifier.onnx", temp.File("models"));
        string project = MsBuild.WriteProject(temp.Path, $"""
                <Model Include="models/{name}" />
                <Model Include="models/iris-classifier.onnx" />
            """);

        MsBuild.Result result = MsBuild.Run(project, "Compile");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal(1, result.ErrorCount);
        string model = temp.File(Path.Combine("models", name));
        Assert.Contains(result.Lines, l => l.StartsWith($"{model} : error {code}: ", StringComparison.Ordinal) && l.Contains($"'{model}'", StringComparison.Ordinal));
        Assert.DoesNotContain("MB4010", result.Output);
        Assert.DoesNotContain("##modelbuild|", result.Output);
        // The other model of the same run still compiled.
        Assert.True(File.Exists(temp.File("obj/modelbuild/IrisClassifier.assets.txt")));
    }

    [Fact]
    public void Model_text_shaped_like_an_MSBuild_error_does_not_become_one()
    {
        using var temp = new TempFolder();
        var graph = new GraphProto { Name = $"g\n{FakeLine}" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(2)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(2)]));
        graph.Output.Add(Value($"unproduced\n{FakeLine}\n", DataType.Float, [Dim(2)]));   // not produced: MB1023 quotes this name
        graph.Node.Add(Node("Relu", $"relu\n{FakeLine}", ["x"], ["y"]));
        Directory.CreateDirectory(temp.File("models"));
        OnnxModelWriter.WriteFile(Model(graph, docString: FakeLine), temp.File("models/hostile.onnx"));
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="models/hostile.onnx" />""");

        MsBuild.Result result = MsBuild.Run(project, "Compile");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Contains("MB1023", result.ErrorCodes);
        Assert.DoesNotContain("XX0001", result.ErrorCodes);
        Assert.Equal(1, result.ErrorCount);
        Assert.DoesNotContain(result.Lines, l => l.TrimStart().StartsWith(FakeLine, StringComparison.Ordinal));
        Assert.DoesNotContain("warning XX0001", result.Output);
    }

    [Fact]
    public void Control_the_fake_line_is_an_MSBuild_error_when_a_tool_prints_it()
    {
        // Shows that the assertions above would catch a forged error: MSBuild does turn this line into one.
        using var temp = new TempFolder();
        string project = MsBuild.WriteProject(temp.Path, "", extraTargets: $"""
              <Target Name="Echo">
                <Exec Command="echo '{FakeLine}'" />
              </Target>
            """);

        MsBuild.Result result = MsBuild.Run(project, "Echo");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Contains("XX0001", result.ErrorCodes);
    }

    [Fact]
    public void A_compiler_that_fails_without_a_protocol_error_is_reported_as_MB4010()
    {
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.File("models"));
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="models/iris-classifier.onnx" />""",
            compilerPath: temp.File("no-such-compiler.dll"));

        MsBuild.Result result = MsBuild.Run(project, "Compile");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal(["MB4010"], result.ErrorCodes.Distinct());
    }

    [Fact]
    public void Pack_models_reports_through_the_same_protocol_as_compile()
    {
        // A PerRid job whose only variant is portable: the compiler's MB4033 arrives as a build error, not as MB4010.
        using var temp = new TempFolder();
        temp.Touch("net.onnx");
        var asset = new { target = "cpu", packagePath = "models/Net/cpu/net.onnx", source = temp.File("net.onnx") };
        File.WriteAllText(temp.File("job.json"), System.Text.Json.JsonSerializer.Serialize(new
        {
            id = "P", version = "1.0.0", authors = "", description = "", outputDirectory = temp.File("feed"), workDirectory = temp.File("work"),
            rids = new Dictionary<string, object[]> { ["linux-x64"] = [asset] },
        }));
        string tasks = System.Security.SecurityElement.Escape(MsBuild.TasksAssembly);
        string compiler = System.Security.SecurityElement.Escape(MsBuild.CompilerPath);
        string project = MsBuild.WriteProject(temp.Path, "", extraTargets: $"""
              <UsingTask TaskName="ModelBuild.Tasks.PackModels" AssemblyFile="{tasks}" />
              <Target Name="Pack">
                <PackModels CompilerPath="{compiler}" ManifestFile="job.json" />
              </Target>
            """);

        MsBuild.Result result = MsBuild.Run(project, "Pack");

        Assert.Equal(["MB4033"], result.ErrorCodes.Distinct());
        Assert.Equal(1, result.ErrorCount);
    }
}
