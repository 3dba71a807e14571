namespace ModelBuild.Onnx;

/// <summary>
/// A problem with a model or its files that the user can fix. <see cref="Code"/> is a stable
/// diagnostic code (MB1xxx for ONNX files, see docs/diagnostics.md); the message says what is
/// wrong, with which file, and what to do about it.
/// </summary>
public class ModelBuildException : Exception
{
    public ModelBuildException(string code, string message, string? filePath = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
        FilePath = filePath;
    }

    /// <summary>Diagnostic code, e.g. "MB1003".</summary>
    public string Code { get; }

    /// <summary>The file the problem is about, when there is one.</summary>
    public string? FilePath { get; }
}
