namespace ModelBuild.Runtime;

/// <summary>
/// MB3010: <see cref="ModelOptions.ExecutionProvider"/> forces <c>nnapi</c> or <c>coreml</c>, but this machine cannot use
/// it (another OS, or an ONNX Runtime package without that provider).
/// </summary>
public sealed class MobileProviderUnavailableException(string provider, string reason)
    : Exception($"{DiagnosticId}: ModelOptions.ExecutionProvider is '{provider}', but {reason}. Leave ExecutionProvider null to fall back to the CPU, or run on a device that has it.")
{
    /// <summary>The diagnostic code of this error, <c>MB3010</c>.</summary>
    public const string DiagnosticId = "MB3010";

    /// <summary>Gets the diagnostic code, <c>MB3010</c>.</summary>
    public string Code => DiagnosticId;

    /// <summary>Gets the provider that was asked for.</summary>
    public string Provider { get; } = provider;
}
