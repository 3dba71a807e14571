using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;

namespace ModelBuild.Compiler.Tests;

/// <summary>Compile jobs laid out the way the MSBuild targets lay them out, and a pipeline run that captures its output.</summary>
internal static class Jobs
{
    public static CompileJob For(string model, string outputRoot, string className = "Net", string ns = "Test.Models", string access = "public") =>
        new(model, className, ns, access,
            Path.Combine(outputRoot, className) + Path.DirectorySeparatorChar,
            Path.Combine(outputRoot, className + ".modelsig.json"),
            Path.Combine(outputRoot, className + ".assets.txt"),
            $"models/{className}/",
            ReportFile: Path.Combine(outputRoot, className + ".report.json"));

    /// <summary>A pass context for <paramref name="job"/>, its options parsed as the pipeline does; no compile cache.</summary>
    public static CompilationContext Context(CompileJob job, TextWriter? output = null, bool signatureOnly = false) =>
        new(job, new Reporter(output ?? TextWriter.Null, forMsBuild: true), signatureOnly, CompileSettings.Parse(job), cacheDirectory: null);

    /// <summary>Runs the whole pipeline with a reporter in MSBuild protocol mode; returns the result and every line written.</summary>
    public static (bool Ok, string[] Lines) Run(CompileJob job, bool forMsBuild = true, bool signatureOnly = false, string? cacheDirectory = null,
        LargeModelSettings? large = null)
    {
        var output = new StringWriter { NewLine = "\n" };
        bool ok = new ModelPipeline(new Reporter(output, forMsBuild), signatureOnly, cacheDirectory, large).Run(job);
        return (ok, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The fields of one <c>##modelbuild|kind|code|file|text</c> line, decoded.</summary>
    public static (string Kind, string Code, string File, string Text) Parse(string line)
    {
        Assert.StartsWith("##modelbuild|", line);
        string[] parts = line["##modelbuild|".Length..].Split('|');
        Assert.Equal(4, parts.Length);
        return (parts[0], parts[1], Uri.UnescapeDataString(parts[2]), Uri.UnescapeDataString(parts[3]));
    }

    public static (string Kind, string Code, string File, string Text) SingleError(string[] lines)
    {
        var errors = lines.Where(l => l.StartsWith("##modelbuild|error|", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"Expected one error line, got:\n{string.Join("\n", lines)}");
        return Parse(errors[0]);
    }
}
