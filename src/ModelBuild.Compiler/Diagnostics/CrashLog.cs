using System.Text;

namespace ModelBuild.Compiler.Diagnostics;

/// <summary>
/// The last line of defence: an exception no pass turned into a diagnostic (a compiler bug, usually found by a hostile
/// model) becomes one build-log line (MB4044 naming the model) plus a file with the full stack beside the outputs,
/// so a stack trace never reaches the build log and a crash never loses its details.
/// </summary>
internal static class CrashLog
{
    public const string Code = "MB4044";

    /// <summary>Writes <paramref name="exception"/> to <c>&lt;folder&gt;/&lt;name&gt;.crash.log</c>; returns its path, or null if even that failed.</summary>
    public static string? Write(string folder, string name, string model, Exception exception)
    {
        try
        {
            string path = Path.Combine(folder, name + ".crash.log");
            Directory.CreateDirectory(folder);
            var text = new StringBuilder()
                .AppendLine($"ModelBuild compiler crash, {DateTime.UtcNow:O}")
                .AppendLine($"model: {model}")
                .AppendLine($"compiler: {typeof(CrashLog).Assembly.GetName().Version}")
                .AppendLine()
                .AppendLine(exception.ToString());
            File.WriteAllText(path, text.ToString());
            return path;
        }
        catch (Exception)
        {
            return null; // whatever went wrong, the build still gets its one line
        }
    }

    /// <summary>The one line for the build log.</summary>
    public static string Message(Exception exception, string? logPath) =>
        $"The ModelBuild compiler failed on this model with an internal error ({exception.GetType().Name}: " +
        $"{ModelText.Quote(exception.Message, 300)}). " +
        (logPath is null ? "" : $"The full stack is in '{logPath}'. ") +
        "Report it as a bug, with the model if you can share it.";
}
