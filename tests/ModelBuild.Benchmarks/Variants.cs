namespace ModelBuild.Benchmarks;

/// <summary>
/// Every variant the benchmarks measure, fp32 (the baseline every ratio refers to) first. Adding a variant is
/// one entry here; the benchmarks, accuracy check, compile probe and report pick it up by name.
/// </summary>
internal static class Variants
{
    public const string BaselineName = "fp32";

    public static Variant Fp32 { get; } = new(BaselineName, "original model, unchanged", (_, _) => "unchanged");

    public static IReadOnlyList<Variant> All { get; } = [Fp32, .. QuantizedVariants.All];

    public static Variant Get(string name) =>
        All.SingleOrDefault(v => v.Name == name) ?? throw new ArgumentException($"Unknown variant '{name}'. Known: {string.Join(", ", All.Select(v => v.Name))}.", nameof(name));
}
