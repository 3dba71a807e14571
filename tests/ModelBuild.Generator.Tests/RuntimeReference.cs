using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelBuild.Generator.Tests;

/// <summary>
/// References for compiling generated code: the .NET 10 platform, ONNX Runtime's managed assembly, and
/// ModelBuild.Runtime. src/ModelBuild.Runtime did not exist yet when these tests were written, so the
/// runtime API is a minimal copy of docs/architecture.md (TestRuntimeApi/RuntimeApi.cs) compiled in memory.
/// </summary>
internal static class RuntimeReference
{
    private static readonly Lazy<MetadataReference[]> s_platform = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "System.dll" or "netstandard.dll" or "mscorlib.dll"))
            .Append(typeof(Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<>).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    private static readonly Lazy<MetadataReference> s_runtime = new(CompileTestRuntimeApi);

    private static readonly Lazy<MetadataReference[]> s_all = new(() => [.. s_platform.Value, s_runtime.Value]);

    public static MetadataReference[] All => s_all.Value;

    private static MetadataReference CompileTestRuntimeApi()
    {
        string path = Path.Combine(TestFiles.ProjectDirectory, "TestRuntimeApi", "RuntimeApi.cs");
        CSharpCompilation compilation = CSharpCompilation.Create(
            "ModelBuild.Runtime",
            [CSharpSyntaxTree.ParseText(File.ReadAllText(path), path: path)],
            s_platform.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return MetadataReference.CreateFromImage(stream.ToArray());
    }
}
