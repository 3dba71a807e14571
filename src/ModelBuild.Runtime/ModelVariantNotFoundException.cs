namespace ModelBuild.Runtime;

/// <summary>
/// MB3003: no variant of a model can be loaded on this machine: every variant's file is missing under the base
/// directory, or was excluded by <see cref="ModelOptions.Target"/> / <see cref="ModelOptions.ExecutionProvider"/>, or
/// needs an execution provider this machine lacks. The message lists each variant, where it was looked for and why it
/// was skipped.
/// </summary>
public sealed class ModelVariantNotFoundException : Exception
{
    /// <summary>The diagnostic code of this error, <c>MB3003</c>.</summary>
    public const string DiagnosticId = "MB3003";

    /// <summary>Creates the exception.</summary>
    /// <param name="className">The generated class name of the model.</param>
    /// <param name="baseDirectory">The full path of the directory the asset paths were resolved against.</param>
    /// <param name="skipped">One line per variant: what was looked for, where, and why it was skipped.</param>
    public ModelVariantNotFoundException(string className, string baseDirectory, IReadOnlyList<string> skipped)
        : base(FormatMessage(className, baseDirectory, skipped))
    {
        ClassName = className;
        BaseDirectory = baseDirectory;
        Skipped = skipped;
    }

    /// <summary>Gets the diagnostic code, <c>MB3003</c>.</summary>
    public string Code => DiagnosticId;

    /// <summary>Gets the generated class name of the model.</summary>
    public string ClassName { get; }

    /// <summary>Gets the full path of the directory the asset paths were resolved against.</summary>
    public string BaseDirectory { get; }

    /// <summary>Gets one line per variant: its target, the full path looked at, and why it was skipped.</summary>
    public IReadOnlyList<string> Skipped { get; }

    private static string FormatMessage(string className, string baseDirectory, IReadOnlyList<string> skipped) =>
        $"{DiagnosticId}: No variant of model '{className}' can be loaded from '{baseDirectory}'. Looked for:" +
        string.Concat(skipped.Select(s => Environment.NewLine + "  - " + s)) + Environment.NewLine +
        "Build and publish copy the models/ folder next to the application: check that it was deployed, or set " +
        "ModelOptions.BaseDirectory; check ModelOptions.Target and ModelOptions.ExecutionProvider; or pass an explicit model path.";
}
