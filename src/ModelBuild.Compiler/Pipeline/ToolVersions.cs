using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Compiler.Pipeline;

/// <summary>The versions that decide a compiled asset's bytes (part of the cache key and of every report).</summary>
internal static class ToolVersions
{
    private static readonly Lazy<string> OnnxRuntimeVersion = new(() => OrtEnv.Instance().GetVersionString());

    public static string Compiler { get; } =
        typeof(ToolVersions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static string OnnxRuntime => OnnxRuntimeVersion.Value;
}
