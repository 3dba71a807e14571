using System.Text.Json;
using ModelBuild.Compiler.Pipeline;

namespace ModelBuild.Compiler.Cli;

/// <summary>The job list ModelBuild.Tasks writes for one compiler run.</summary>
/// <param name="SignatureOnly">Design-time build: signatures only.</param>
/// <param name="Jobs">One per out-of-date model.</param>
/// <param name="CacheDirectory">The compile cache (<c>$(ModelBuildCacheDirectory)</c>); null or empty = the default.</param>
internal sealed record CompileManifest(bool SignatureOnly, IReadOnlyList<CompileJob> Jobs, string? CacheDirectory = null)
{
    public static CompileManifest Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<CompileManifest>(stream, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidDataException($"Manifest '{path}' is empty.");
    }
}
