namespace ModelBuild.Tasks.Tests;

/// <summary>Quantize, Targets, Optimize and the verification metadata, checked and normalised by ResolveModels in real MSBuild.</summary>
public sealed class CompileOptionsMetadataTests
{
    private const string DumpTarget = """
          <Target Name="Dump" DependsOnTargets="Resolve">
            <WriteLinesToFile File="options.txt" Overwrite="true"
              Lines="@(Resolved->'%(ClassName)|%(Quantize)|%(Targets)|%(TargetQuantize)|%(Optimize)|%(Verify)|%(MinCosine)|%(MaxAbsError)|%(VerifySamples)|%(SampleInputs)|%(ReportFile)')" />
          </Target>
        """;

    [Fact]
    public void Metadata_is_normalised_defaulted_and_passed_on()
    {
        using var temp = new TempFolder();
        temp.Touch("plain.onnx", "tuned.onnx", "samples/input_0.pb");
        string project = MsBuild.WriteProject(temp.Path, """
                <Model Include="plain.onnx" />
                <Model Include="tuned.onnx" Quantize=" INT8 " Targets="mobile; cuda;arm64;cuda" CudaQuantize="FP16" Optimize="Basic"
                       Verify="warn" MinCosine="0.995" MaxAbsError="1e-2" VerifySamples="16" SampleInputs="samples" />
            """, extraTargets: DumpTarget);

        MsBuild.Result result = MsBuild.Run(project, "Dump");

        Assert.True(result.ExitCode == 0, result.Output);
        Dictionary<string, string[]> rows = File.ReadAllLines(temp.File("options.txt")).Select(l => l.Split('|')).ToDictionary(p => p[0]);
        Assert.Equal(["Plain", "none", "cpu", "", "extended", "error", "", "", "8", "", temp.File("obj/modelbuild/Plain.report.json")], rows["Plain"]);
        // Targets come in canonical order, once each; numbers in invariant round-trip form; the folder made absolute.
        Assert.Equal(["Tuned", "int8", "arm64;cuda;mobile", "cuda=fp16", "basic", "warn", "0.995", "0.01", "16", temp.File("samples"), temp.File("obj/modelbuild/Tuned.report.json")], rows["Tuned"]);
        string stamp = File.ReadAllText(temp.File("obj/modelbuild/Tuned.options"));
        Assert.Contains("\nQuantize=int8\nTargets=arm64;cuda;mobile\n", stamp);
        Assert.Contains("\nTargetQuantize=cuda=fp16\n", stamp);
        Assert.Contains($"sample={temp.File("samples/input_0.pb")}|", File.ReadAllText(temp.File("obj/modelbuild/Tuned.options")));
    }

    [Fact]
    public void Changed_sample_tensors_rewrite_the_options_stamp()
    {
        using var temp = new TempFolder();
        temp.Touch("net.onnx", "samples/input_0.pb");
        string project = MsBuild.WriteProject(temp.Path, """<Model Include="net.onnx" SampleInputs="samples" />""");
        string stamp = temp.File("obj/modelbuild/Net.options");
        Assert.Equal(0, MsBuild.Run(project, "Resolve").ExitCode);
        string before = File.ReadAllText(stamp);

        File.WriteAllText(temp.File("samples/input_0.pb"), "a different tensor, longer than before");
        Assert.Equal(0, MsBuild.Run(project, "Resolve").ExitCode);

        Assert.NotEqual(before, File.ReadAllText(stamp));
    }

    [Fact]
    public void Bad_values_are_errors_with_codes_and_unused_overrides_warn()
    {
        using var temp = new TempFolder();
        temp.Touch("q.onnx", "t.onnx", "o.onnx", "v.onnx", "c.onnx", "n.onnx", "z.onnx", "s.onnx", "w.onnx", "x.onnx");
        string project = MsBuild.WriteProject(temp.Path, """
                <Model Include="q.onnx" Quantize="int3" />
                <Model Include="t.onnx" Targets="x64;tpu" />
                <Model Include="o.onnx" Optimize="all" />
                <Model Include="v.onnx" Verify="maybe" />
                <Model Include="c.onnx" MinCosine="1,5" />
                <Model Include="n.onnx" VerifySamples="2.5" />
                <Model Include="z.onnx" VerifySamples="0" />
                <Model Include="s.onnx" SampleInputs="no-such-folder" />
                <Model Include="x.onnx" X64Quantize="int2" />
                <Model Include="w.onnx" CudaQuantize="fp16" />
            """);

        MsBuild.Result result = MsBuild.Run(project, "Resolve");

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Equal(9, result.ErrorCount);
        string[] lines = result.Lines;
        AssertLine(lines, "q.onnx : error MB4006: ", "'int3'");
        AssertLine(lines, "t.onnx : error MB4007: ", "'tpu'");
        AssertLine(lines, "o.onnx : error MB4009: ", "'all'");
        AssertLine(lines, "v.onnx : error MB4011: ", "'maybe'");
        AssertLine(lines, "c.onnx : error MB4012: ", "MinCosine '1,5'");
        AssertLine(lines, "n.onnx : error MB4012: ", "VerifySamples '2.5'");
        AssertLine(lines, "z.onnx : error MB4012: ", "VerifySamples '0' is not a whole number between 1 and 1000.");
        AssertLine(lines, "s.onnx : error MB4013: ", "no-such-folder");
        AssertLine(lines, "x.onnx : error MB4006: ", "X64Quantize 'int2'");
        AssertLine(lines, "w.onnx : warning MB4008: ", "CudaQuantize");
    }

    [Fact]
    public void Fallback_defaults_to_cpu_is_normalised_into_the_options_stamp_and_checked()
    {
        using var temp = new TempFolder();
        temp.Touch("a.onnx", "b.onnx", "c.onnx");
        const string dump = """
              <Target Name="DumpFallback" DependsOnTargets="Resolve">
                <WriteLinesToFile File="fallback.txt" Overwrite="true" Lines="@(Resolved->'%(ClassName)=%(Fallback)')" />
              </Target>
            """;
        const string valid = """
                <Model Include="a.onnx" Targets="cuda" />
                <Model Include="b.onnx" Targets="cuda" Fallback=" NONE " />
            """;

        MsBuild.Result ok = MsBuild.Run(MsBuild.WriteProject(temp.Path, valid, extraTargets: dump), "DumpFallback");
        MsBuild.Result bad = MsBuild.Run(MsBuild.WriteProject(temp.Path, valid + """<Model Include="c.onnx" Fallback="gpu" />""", extraTargets: dump), "DumpFallback");

        Assert.True(ok.ExitCode == 0, ok.Output);
        Assert.Equal(["A=cpu", "B=none"], File.ReadAllLines(temp.File("fallback.txt")));
        Assert.Contains("Fallback=none\n", File.ReadAllText(temp.File("obj/modelbuild/B.options")));
        Assert.Equal(1, bad.ErrorCount);
        AssertLine(bad.Lines, "c.onnx : error MB4020: ", "Fallback 'gpu'");
    }

    private static void AssertLine(string[] lines, string start, string part) =>
        Assert.True(lines.Any(l => l.StartsWith(start, StringComparison.Ordinal) && l.Contains(part, StringComparison.Ordinal)),
            $"expected '{start}…{part}…' in:\n{string.Join("\n", lines)}");
}
