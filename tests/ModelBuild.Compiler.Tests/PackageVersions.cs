using System.Reflection;

namespace ModelBuild.Compiler.Tests;

/// <summary>Package versions the repository builds with (Directory.Packages.props, stamped into this assembly).</summary>
internal static class PackageVersions
{
    /// <summary>The one ONNX Runtime version of every ONNX Runtime package, CPU and GPU.</summary>
    public static string OnnxRuntime { get; } = typeof(PackageVersions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OnnxRuntimeVersion").Value!;
}
