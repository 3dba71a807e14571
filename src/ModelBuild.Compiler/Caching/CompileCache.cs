using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Reports;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Caching;

/// <summary>
/// Content-addressed store of compiled variants: <c>{dir}/{key[0..2]}/{key}/</c> holding the asset, its data file
/// with that file's hash (large models), the operator list (mobile) and the variant's report. An entry is written in a private temporary folder and renamed into place,
/// so concurrent builds sharing a cache see an entry whole or not at all; the first writer wins. A damaged entry
/// (asset hash not the recorded one, unreadable report) is evicted, recompiled and stored again.
/// </summary>
internal sealed class CompileCache(string directory, Reporter reporter)
{
    private const string AssetFile = "asset";
    private const string DataFile = "asset.data";
    private const string DataHashFile = "asset.data.sha256";
    private const string OperatorsFile = "required_operators.config";
    private const string ReportFile = "report.json";

    public static string DefaultDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".modelbuild", "cache");

    public static JsonSerializerOptions JsonOptions { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true, NewLine = "\n" };

    private string? _contentHash;

    /// <summary>Looks the variant up; remembers its entry path on the variant for <see cref="Store"/>.</summary>
    public bool TryLoad(CompilationContext context, CompiledVariant variant)
    {
        string entry = EntryPath(context, variant);
        variant.CacheEntry = entry;
        try
        {
            if (!File.Exists(Path.Combine(entry, ReportFile)))
            {
                return false;
            }
            VariantReport? report = JsonSerializer.Deserialize<VariantReport>(File.ReadAllBytes(Path.Combine(entry, ReportFile)), JsonOptions);
            string data = Path.Combine(entry, DataFile);
            if (report is null || HashOf(Path.Combine(entry, AssetFile)) != report.Sha256
                || (File.Exists(data) && HashOf(data) != File.ReadAllText(Path.Combine(entry, DataHashFile))))
            {
                reporter.Warning("MB5020", context.Job.Model, $"Compile cache entry '{entry}' is damaged; it was removed and is compiled again.");
                Evict(entry);
                return false;
            }
            string operators = Path.Combine(entry, OperatorsFile);
            variant.RequiredOperators = File.Exists(operators) ? File.ReadAllText(operators) : null;
            string folder = variant.NewFolder();
            File.Copy(Path.Combine(entry, AssetFile), Path.Combine(folder, variant.FileName));
            if (File.Exists(data))
            {
                File.Copy(data, Path.Combine(folder, variant.DataFileName));
            }
            variant.Commit(folder);
            variant.CachedReport = report;
            reporter.Detail($"{context.Job.ClassName}: {variant.Plan.Target.Name()} from the compile cache ({entry})");
            return true;
        }
        catch (JsonException e)
        {
            reporter.Warning("MB5020", context.Job.Model, $"Compile cache entry '{entry}' is damaged ({e.Message}); it was removed and is compiled again.");
            Evict(entry);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reporter.Warning("MB5020", context.Job.Model, $"Compile cache entry '{entry}' could not be read ({e.Message}); compiling again.");
            return false;
        }
    }

    /// <summary>
    /// Entries half-written by a compiler that was killed (SIGKILL, a build timeout) before its <c>finally</c>: older than
    /// a day, no build can still be writing them.
    /// </summary>
    private void RemoveAbandonedTemporaries()
    {
        string tmp = Path.Combine(directory, "tmp");
        try
        {
            foreach (string folder in Directory.Exists(tmp) ? Directory.GetDirectories(tmp) : [])
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > WorkFolders.StaleAge)
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another build removed it first, or the cache is read-only: nothing to do here.
        }
    }

    /// <summary>
    /// Takes a damaged entry out of the cache so that this build stores a good one in its place (otherwise every clean
    /// build would warn again). Renamed away first: a build reading it at this moment keeps its open files.
    /// </summary>
    private void Evict(string entry)
    {
        string trash = Path.Combine(directory, "tmp", Guid.NewGuid().ToString("N") + ".evicted");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(trash)!);
            Directory.Move(entry, trash);
            Directory.Delete(trash, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another build evicted it first, or the cache is read-only: the store below says so if it matters.
        }
    }

    public void Store(CompilationContext context, CompiledVariant variant, VariantReport report)
    {
        string entry = variant.CacheEntry ?? EntryPath(context, variant);
        if (Directory.Exists(entry))
        {
            return;
        }
        string temp = Path.Combine(directory, "tmp", Guid.NewGuid().ToString("N"));
        RemoveAbandonedTemporaries();
        try
        {
            Directory.CreateDirectory(temp);
            File.Copy(variant.AssetPath, Path.Combine(temp, AssetFile));
            if (variant.Files.Contains(variant.DataFileName))
            {
                string data = Path.Combine(variant.Folder!, variant.DataFileName);
                File.Copy(data, Path.Combine(temp, DataFile));
                File.WriteAllText(Path.Combine(temp, DataHashFile), HashOf(data));
            }
            if (variant.RequiredOperators is { } operators)
            {
                File.WriteAllText(Path.Combine(temp, OperatorsFile), operators);
            }
            File.WriteAllBytes(Path.Combine(temp, ReportFile), JsonSerializer.SerializeToUtf8Bytes(report, JsonOptions));
            Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
            Directory.Move(temp, entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another build stored the same entry first, or the cache is read-only: the build itself is unaffected.
            if (!Directory.Exists(entry))
            {
                reporter.Warning("MB5020", context.Job.Model, $"Could not store a compile cache entry in '{directory}' ({e.Message}). Set ModelBuildCacheDirectory to a writable folder.");
            }
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    private string EntryPath(CompilationContext context, CompiledVariant variant)
    {
        string key = Key(context, variant);
        return Path.Combine(directory, key[..2], key);
    }

    /// <summary>The variant's plan, the verification settings and the tool versions, over the content hash.</summary>
    private string Key(CompilationContext context, CompiledVariant variant)
    {
        _contentHash ??= ContentHash(context);
        CompileSettings settings = context.Settings;
        string key = string.Join("\n",
            "modelbuild-cache/2",
            ToolVersions.Compiler,
            ToolVersions.OnnxRuntime,
            variant.Plan.Identity,
            variant.FileName,
            $"verify={settings.Verify != VerifyMode.Off};samples={settings.VerifySamples}",
            "sample-shapes=" + Shapes(settings.SampleShapes)
                + (variant.Plan.Target == Target.Mobile && settings.MobileShapes.Count > 0 ? ";mobile-shapes=" + Shapes(settings.MobileShapes) : ""),
            _contentHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    private static string Shapes(IReadOnlyDictionary<string, long[]> shapes) =>
        string.Join(";", shapes.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={string.Join(",", s.Value)}"));

    /// <summary>Model bytes, external data and sample inputs: hashed once per model, shared by its variants.</summary>
    private static string ContentHash(CompilationContext context)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        CompileSettings settings = context.Settings;
        hash.AppendData(Encoding.UTF8.GetBytes(context.ModelSha256)); // the bytes the load pass read, not the path again
        foreach (ExternalDataReference data in context.ExternalData.DistinctBy(d => d.FullPath).OrderBy(d => d.RelativeLocation, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes("\n" + data.RelativeLocation + "\n"));
            OnnxExternalData.AppendFileTo(hash, data, context.Job.Model);
        }
        if (settings.SampleInputs is { } samples)
        {
            foreach (string file in Directory.EnumerateFiles(samples, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetExtension(f) is ".pb" or ".npy" or ".npz").Order(StringComparer.Ordinal))
            {
                hash.AppendData(Encoding.UTF8.GetBytes("\n" + Path.GetRelativePath(samples, file).Replace('\\', '/') + "\n"));
                AppendFile(hash, file);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string HashOf(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void AppendFile(IncrementalHash hash, string path)
    {
        using FileStream stream = File.OpenRead(path);
        byte[] buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
    }
}
