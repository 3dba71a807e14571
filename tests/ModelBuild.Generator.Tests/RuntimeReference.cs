using Microsoft.CodeAnalysis;

namespace ModelBuild.Generator.Tests;

/// <summary>
/// References for compiling generated code: the .NET 10 platform, ONNX Runtime's managed assembly, and the
/// real ModelBuild.Runtime assembly (ProjectReference to src/ModelBuild.Runtime), so the generated code is
/// checked against the API it will actually call.
/// </summary>
internal static class RuntimeReference
{
    private static readonly Lazy<MetadataReference[]> s_all = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "netstandard.dll" or "mscorlib.dll"))
            .Append(typeof(Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<>).Assembly.Location)
            .Append(typeof(ModelBuild.Runtime.ModelSession).Assembly.Location)
            .Distinct()
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    public static MetadataReference[] All => s_all.Value;
}
