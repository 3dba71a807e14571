namespace ModelBuild.Compiler.Diagnostics;

/// <summary>
/// Where the compiler's diagnostics go. For MSBuild, every message is one protocol line with percent-encoded
/// fields (see ModelBuild.Tasks' CompilerMessage), so text from a model can never forge a build error;
/// for people, plain <c>error MB1003: file: text</c> lines.
/// </summary>
internal sealed class Reporter(TextWriter output, bool forMsBuild)
{
    public int ErrorCount { get; private set; }

    public void Error(string code, string? file, string text)
    {
        ErrorCount++;
        Write("error", code, file, text);
    }

    public void Warning(string code, string? file, string text) => Write("warning", code, file, text);

    /// <summary>A line people see at normal verbosity (the per-model report).</summary>
    public void Info(string text) => Write("info", "", null, text);

    public void Detail(string text) => Write("detail", "", null, text);

    /// <summary>Tells the MSBuild task which model the compiler works on, so a crash can be reported on that model.</summary>
    public void Begin(string model) => Write("begin", "", model, "");

    private void Write(string kind, string code, string? file, string text)
    {
        if (forMsBuild)
        {
            output.WriteLine($"##modelbuild|{kind}|{code}|{Uri.EscapeDataString(file ?? "")}|{Uri.EscapeDataString(text)}");
        }
        else if (kind is "error" or "warning")
        {
            output.WriteLine(file is null ? $"{kind} {code}: {text}" : $"{kind} {code}: {file}: {text}");
        }
        else if (kind == "info")
        {
            output.WriteLine(text); // pass timings ("detail") are for MSBuild's detailed verbosity only
        }
    }
}
