using Microsoft.ML.OnnxRuntime;
using ModelBuild.Shared;

namespace ModelBuild.Runtime;

/// <summary>The provider a mobile variant runs on, and why (written to <see cref="ModelOptions.Logger"/>).</summary>
internal sealed record MobileProviderDecision(string Provider, string Reason, bool Forced);

/// <summary>
/// Chooses the execution provider of the <c>mobile</c> variant: NNAPI on Android, Core ML on iOS and macOS, when ONNX
/// Runtime lists it; the CPU otherwise, with the reason. <see cref="ModelOptions.ExecutionProvider"/> = <c>nnapi</c>,
/// <c>coreml</c> or <c>cpu</c> forces one; a forced accelerator this machine lacks throws MB3010 instead of falling back.
/// </summary>
internal static class MobileProviderPolicy
{
    public const string Nnapi = "nnapi";
    public const string CoreMl = "coreml";

    private const string NnapiName = "NnapiExecutionProvider";
    private const string CoreMlName = "CoreMLExecutionProvider";

    public static bool IsMobileProvider(string? provider) => provider is Nnapi or CoreMl;

    /// <summary>Whether a variant may run on <paramref name="forcedProvider"/> although built for the CPU (mobile variants on NNAPI/Core ML).</summary>
    public static bool Serves(ModelVariant variant, string? forcedProvider) =>
        IsMobileProvider(forcedProvider) && BuildTargets.Find(variant.Target) is { IsMobile: true };

    public static MobileProviderDecision Choose(string? forcedProvider, MobileOs os, IReadOnlyCollection<string> available)
    {
        if (forcedProvider == ModelVariant.CpuProvider)
        {
            return new(ModelVariant.CpuProvider, "ModelOptions.ExecutionProvider is 'cpu'", Forced: true);
        }
        if (IsMobileProvider(forcedProvider))
        {
            if (Unavailable(forcedProvider!, os, available) is { } reason)
            {
                throw new MobileProviderUnavailableException(forcedProvider!, reason);
            }
            return new(forcedProvider!, $"ModelOptions.ExecutionProvider is '{forcedProvider}'", Forced: true);
        }

        string? accelerator = os switch
        {
            MobileOs.Android => Nnapi,
            MobileOs.Apple => CoreMl,
            _ => null,
        };
        if (accelerator is null)
        {
            return new(ModelVariant.CpuProvider,
                "the CPU: this OS has no mobile accelerator (NNAPI is Android's, Core ML is iOS's and macOS's)", Forced: false);
        }
        return Unavailable(accelerator, os, available) is { } why
            ? new(ModelVariant.CpuProvider, $"the CPU: {why}", Forced: false)
            : new(accelerator, $"{ProviderName(accelerator)}, this OS's accelerator, with the CPU for the nodes it does not take", Forced: false);
    }

    /// <summary>
    /// Adds the decided provider to the session options. An accelerator that fails to initialise falls back to the CPU
    /// (logged), or throws MB3010 when it was forced.
    /// </summary>
    /// <returns>The provider the session runs on.</returns>
    public static string Apply(SessionOptions options, MobileProviderDecision decision, Action<string> log)
    {
        try
        {
            switch (decision.Provider)
            {
                case Nnapi:
                    options.AppendExecutionProvider_Nnapi(NnapiFlags.NNAPI_FLAG_USE_NONE);
                    break;
                case CoreMl:
                    options.AppendExecutionProvider_CoreML(CoreMLFlags.COREML_FLAG_USE_NONE);
                    break;
            }
            log($"the mobile variant runs on {decision.Reason}");
            return decision.Provider;
        }
        catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException or EntryPointNotFoundException or DllNotFoundException)
        {
            string reason = $"{ProviderName(decision.Provider)} did not initialise ({e.Message.Split('\n')[0].Trim()})";
            if (decision.Forced)
            {
                throw new MobileProviderUnavailableException(decision.Provider, reason);
            }
            log($"the mobile variant runs on the CPU: {reason}");
            return ModelVariant.CpuProvider;
        }
    }

    private static string? Unavailable(string provider, MobileOs os, IReadOnlyCollection<string> available)
    {
        var (needed, name) = provider == Nnapi ? (MobileOs.Android, NnapiName) : (MobileOs.Apple, CoreMlName);
        if (os != needed)
        {
            return $"{ProviderName(provider)} runs on {(needed == MobileOs.Android ? "Android" : "iOS and macOS")} only";
        }
        return available.Contains(name, StringComparer.Ordinal)
            ? null
            : $"ONNX Runtime lists no {ProviderName(provider)} provider (available: {string.Join(", ", available)}); it comes with the Microsoft.ML.OnnxRuntime package for {(needed == MobileOs.Android ? "android" : "ios and osx")} runtime identifiers";
    }

    private static string ProviderName(string provider) => provider == Nnapi ? "NNAPI" : provider == CoreMl ? "Core ML" : "the CPU";
}
