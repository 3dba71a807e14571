using ModelBuild.Shared;

namespace ModelBuild.Runtime;

/// <summary>A variant and the full path of its file.</summary>
internal readonly record struct VariantChoice(ModelVariant Variant, string Path);

/// <summary>
/// Decides which variant of a model a session loads. Without an explicit path: among the variants whose files exist
/// and that the options allow, first an accelerator (a non-CPU provider that initialises here), then the CPU variant
/// for the process architecture, then the portable <c>cpu</c> one, then <c>mobile</c> on Android/iOS, then any other
/// CPU variant present. With an explicit path: the variant that file is, for its recorded hash.
/// </summary>
internal static class VariantSelector
{
    public static VariantChoice Select(ModelDescription description, string baseDirectory, ModelOptions options, RuntimePlatform platform)
    {
        void Log(string message) => options.Logger?.Invoke($"ModelBuild: {description.ClassName}: {message}");

        var skipped = new List<string>();
        var usable = new List<VariantChoice>();
        foreach (ModelVariant variant in description.Variants)
        {
            string path = Path.GetFullPath(Path.Combine(baseDirectory, variant.AssetPath));
            string? reason = Unusable(variant, path, options, platform);
            if (reason is null)
            {
                usable.Add(new VariantChoice(variant, path));
            }
            else
            {
                string line = $"{variant.Target} variant '{path}': {reason}";
                skipped.Add(line);
                Log("skipped the " + line);
            }
        }

        if (usable.Count == 0)
        {
            throw new ModelVariantNotFoundException(description.ClassName, Path.GetFullPath(baseDirectory), skipped);
        }

        // MinBy keeps the first of equal ranks, so ties go to the build's target order.
        VariantChoice chosen = usable.MinBy(c => Rank(c.Variant, platform));
        string why = RankReason(chosen.Variant, platform);
        Log($"chose the {chosen.Variant.Target} variant '{chosen.Path}' ({chosen.Variant.Quantize}, {chosen.Variant.ExecutionProvider}): {why}");
        foreach (VariantChoice other in usable.Where(c => c != chosen))
        {
            Log($"skipped the {other.Variant.Target} variant '{other.Path}': the {chosen.Variant.Target} variant comes first ({why})");
        }

        return chosen;
    }

    /// <summary>
    /// The variant an explicitly given file is: the one whose asset path the file's path ends with, else the only one
    /// with its file name, else the first (whose hash is <see cref="ModelDescription.Sha256"/>, as before variants).
    /// </summary>
    public static ModelVariant ForExplicitPath(ModelDescription description, string fullPath)
    {
        string normalized = fullPath.Replace('\\', '/');
        ModelVariant? byAssetPath = description.Variants.FirstOrDefault(
            v => normalized.EndsWith("/" + v.AssetPath.Replace('\\', '/'), StringComparison.OrdinalIgnoreCase));
        if (byAssetPath is not null)
        {
            return byAssetPath;
        }

        string fileName = Path.GetFileName(fullPath);
        ModelVariant[] byFileName = description.Variants
            .Where(v => string.Equals(Path.GetFileName(v.AssetPath), fileName, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        return byFileName.Length == 1 ? byFileName[0] : description.Variants[0];
    }

    private static string? Unusable(ModelVariant variant, string path, ModelOptions options, RuntimePlatform platform)
    {
        if (options.Target is not null && !string.Equals(variant.Target, options.Target, StringComparison.OrdinalIgnoreCase))
        {
            return $"ModelOptions.Target is '{options.Target}'";
        }

        if (options.ExecutionProvider is not null
            && !string.Equals(variant.ExecutionProvider, options.ExecutionProvider, StringComparison.OrdinalIgnoreCase))
        {
            return $"ModelOptions.ExecutionProvider is '{options.ExecutionProvider}'";
        }

        if (!File.Exists(path))
        {
            return "file not found";
        }

        if (IsProvider(variant, ModelVariant.CpuProvider))
        {
            return null;
        }

        if (IsProvider(variant, ModelVariant.CudaProvider))
        {
            return platform.CudaUnavailableReason();
        }

        return $"execution provider '{variant.ExecutionProvider}' is not supported by this version of ModelBuild.Runtime";
    }

    private static int Rank(ModelVariant variant, RuntimePlatform platform)
    {
        if (!IsProvider(variant, ModelVariant.CpuProvider))
        {
            return 0;
        }

        if (IsTarget(variant, platform.ArchitectureTarget))
        {
            return 1;
        }

        if (IsTarget(variant, ModelVariant.PortableTarget))
        {
            return 2;
        }

        return platform.IsMobile && BuildTargets.Find(variant.Target) is { IsMobile: true } ? 3 : 4;
    }

    private static string RankReason(ModelVariant variant, RuntimePlatform platform) => Rank(variant, platform) switch
    {
        0 => "an accelerator variant whose execution provider initialises on this machine",
        1 => $"the CPU variant for this process architecture ({platform.ProcessArchitecture})",
        2 => "the portable CPU variant",
        3 => "the ORT-format variant for mobile devices",
        _ => "no accelerator, architecture-specific or portable CPU variant is available",
    };

    private static bool IsProvider(ModelVariant variant, string provider) =>
        string.Equals(variant.ExecutionProvider, provider, StringComparison.OrdinalIgnoreCase);

    private static bool IsTarget(ModelVariant variant, string? target) =>
        target is not null && string.Equals(variant.Target, target, StringComparison.OrdinalIgnoreCase);
}
