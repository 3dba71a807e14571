using System.Text.RegularExpressions;
using ModelBuild.Shared;

namespace ModelBuild.Compiler.Tests;

/// <summary>
/// The diagnostic registry (src/Shared/DiagnosticCodes.cs), the codes the source raises and docs/diagnostics.md agree:
/// every code raised is registered and documented with a cause and a fix, and no code is raised from two components
/// (as MB4031 once was, with two texts).
/// </summary>
public sealed partial class DiagnosticRegistryTests
{
    private static readonly string Root = RepositoryRoot();

    [Fact]
    public void Every_code_is_registered_once()
    {
        Assert.Equal(DiagnosticCodes.All.Count, DiagnosticCodes.All.Select(d => d.Code).Distinct().Count());
        Assert.All(DiagnosticCodes.All, d => Assert.Matches(@"^MB[1-5]\d{3}$", d.Code));
        Assert.All(DiagnosticCodes.All, d => Assert.False(string.IsNullOrWhiteSpace(d.Title), d.Code));
    }

    [Fact]
    public void Every_code_raised_in_source_is_registered_and_every_registered_code_is_raised()
    {
        var raised = RaisedCodes().Select(r => r.Code).ToHashSet();
        var registered = DiagnosticCodes.All.Select(d => d.Code).ToHashSet();

        Assert.Empty(raised.Except(registered).Order());
        Assert.Empty(registered.Except(raised).Order());
    }

    [Fact]
    public void Every_registered_code_is_documented_with_cause_and_fix_and_nothing_else_is()
    {
        Dictionary<string, (string Cause, string Fix)> documented = DocumentedCodes();

        Assert.Equal(DiagnosticCodes.All.Select(d => d.Code).Order(), documented.Keys.Order());
        Assert.All(documented, d => Assert.True(d.Value.Cause.Length > 10 && d.Value.Fix.Length > 5, $"{d.Key} needs a cause and a fix"));
    }

    [Fact]
    public void No_code_is_raised_from_two_components()
    {
        var twice = RaisedCodes().GroupBy(r => r.Code)
            .Where(g => g.Select(r => r.Component).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(r => r.File).Distinct())}")
            .ToArray();

        Assert.Empty(twice);
    }

    /// <summary>Code literals outside comments in src/ and sdk/ (the registry itself aside), with their project folder.</summary>
    private static IEnumerable<(string Code, string Component, string File)> RaisedCodes()
    {
        string registry = Path.Combine(Root, "src", "Shared", "DiagnosticCodes.cs");
        IEnumerable<string> files = new[] { "src", "sdk" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".targets", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && f != registry);
        foreach (string file in files)
        {
            string relative = Path.GetRelativePath(Root, file).Replace('\\', '/');
            string component = string.Join("/", relative.Split('/').Take(2));
            string code = Comments().Replace(File.ReadAllText(file), "");
            foreach (Match match in CodeLiteral().Matches(code))
            {
                yield return (match.Value, component, relative);
            }
        }
    }

    private static Dictionary<string, (string Cause, string Fix)> DocumentedCodes() =>
        File.ReadAllLines(Path.Combine(Root, "docs", "diagnostics.md"))
            .Select(l => DocumentedRow().Match(l)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["code"].Value, m => (m.Groups["cause"].Value.Trim(), m.Groups["fix"].Value.Trim()));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelBuild.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ModelBuild.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"MB[1-5]\d{3}")]
    private static partial Regex CodeLiteral();

    // C# line and doc comments, XML comments in MSBuild files.
    [GeneratedRegex(@"//[^\r\n]*|<!--[\s\S]*?-->")]
    private static partial Regex Comments();

    [GeneratedRegex(@"^\| (?<code>MB\d{4}) \| (?<cause>.*?) \| (?<fix>.*?) \|$")]
    private static partial Regex DocumentedRow();
}
