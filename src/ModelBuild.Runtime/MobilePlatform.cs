using Microsoft.ML.OnnxRuntime;

namespace ModelBuild.Runtime;

/// <summary>The operating systems that have a mobile accelerator ONNX Runtime can use.</summary>
internal enum MobileOs
{
    /// <summary>No mobile accelerator (Linux, Windows...): the mobile variant runs on the CPU.</summary>
    Other,

    /// <summary>Android: NNAPI.</summary>
    Android,

    /// <summary>iOS, Mac Catalyst and macOS: Core ML.</summary>
    Apple,
}

/// <summary>What the mobile policy sees of this machine: the OS and the execution providers ONNX Runtime lists.</summary>
internal sealed record MobilePlatform(MobileOs Os, Func<IReadOnlyCollection<string>> AvailableProviders)
{
    public static MobilePlatform Current { get; } = new(
        OperatingSystem.IsAndroid() ? MobileOs.Android
            : OperatingSystem.IsIOS() || OperatingSystem.IsMacCatalyst() || OperatingSystem.IsMacOS() ? MobileOs.Apple
            : MobileOs.Other,
        () => OrtEnv.Instance().GetAvailableProviders());
}
