namespace ModelBuild.Runtime;

/// <summary>
/// MB3001: the SHA-256 hash of a model file differs from the hash recorded when the application was built, so the
/// file was changed, corrupted or replaced after the build. Rebuild or republish the application so the model asset
/// and the recorded hash match again, or set <see cref="ModelOptions.VerifyIntegrity"/> to <see langword="false"/>
/// if the file is replaced on purpose.
/// </summary>
public sealed class ModelIntegrityException : Exception
{
    /// <summary>The diagnostic code of this error, <c>MB3001</c>.</summary>
    public const string DiagnosticId = "MB3001";

    /// <summary>Creates the exception for a model file whose hash does not match.</summary>
    /// <param name="modelPath">The full path of the model file that was checked.</param>
    /// <param name="expectedSha256">The hash recorded at build time.</param>
    /// <param name="actualSha256">The hash of the file as found.</param>
    public ModelIntegrityException(string modelPath, string expectedSha256, string actualSha256)
        : base(FormatMessage(modelPath, expectedSha256, actualSha256))
    {
        ModelPath = modelPath;
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    /// <summary>Gets the diagnostic code, <c>MB3001</c>.</summary>
    public string Code => DiagnosticId;

    /// <summary>Gets the full path of the model file that was checked.</summary>
    public string ModelPath { get; }

    /// <summary>Gets the SHA-256 (hex) recorded at build time.</summary>
    public string ExpectedSha256 { get; }

    /// <summary>Gets the SHA-256 (lower-case hex) of the file as found.</summary>
    public string ActualSha256 { get; }

    private static string FormatMessage(string modelPath, string expected, string actual) =>
        $"{DiagnosticId}: The model file '{modelPath}' does not match the model it was built with: " +
        $"expected SHA-256 {(expected.Length == 0 ? "(none recorded)" : expected)} but the file has {actual}. " +
        "The file was changed, corrupted or replaced after the build. Rebuild or republish the application so the " +
        "model asset and its recorded hash match, or set ModelOptions.VerifyIntegrity = false if the file is replaced on purpose.";
}

/// <summary>
/// MB3002: the model file was not found where the application expects it. The asset is copied next to the
/// application (under <see cref="ModelDescription.AssetPath"/>) by build and publish; check that it was deployed, or
/// pass an explicit model path or <see cref="ModelOptions.BaseDirectory"/>.
/// </summary>
public sealed class ModelFileNotFoundException : FileNotFoundException
{
    /// <summary>The diagnostic code of this error, <c>MB3002</c>.</summary>
    public const string DiagnosticId = "MB3002";

    /// <summary>Creates the exception for a model file that does not exist.</summary>
    /// <param name="modelPath">The full path that was looked at.</param>
    /// <param name="assetPath">The asset path recorded in the model description.</param>
    /// <param name="explicitPath">Whether <paramref name="modelPath"/> was given by the caller rather than resolved from <paramref name="assetPath"/>.</param>
    public ModelFileNotFoundException(string modelPath, string assetPath, bool explicitPath)
        : base(FormatMessage(modelPath, assetPath, explicitPath), modelPath)
    {
        ModelPath = modelPath;
        AssetPath = assetPath;
    }

    /// <summary>Gets the diagnostic code, <c>MB3002</c>.</summary>
    public string Code => DiagnosticId;

    /// <summary>Gets the full path that was looked at.</summary>
    public string ModelPath { get; }

    /// <summary>Gets the asset path recorded in the model description.</summary>
    public string AssetPath { get; }

    private static string FormatMessage(string modelPath, string assetPath, bool explicitPath) =>
        $"{DiagnosticId}: Model file not found: '{modelPath}' " +
        (explicitPath
            ? $"(path given by the caller; the model's asset path is '{assetPath}'). Check the path passed to ModelSession.Load."
            : $"(asset path '{assetPath}' resolved against the base directory). Build and publish copy the model to " +
              "that path next to the application: check that it was deployed, or pass an explicit model path or ModelOptions.BaseDirectory.");
}
