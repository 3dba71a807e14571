namespace ModelBuild.Compiler.Cli;

/// <summary>Minimal <c>--name value</c> / positional argument reader; unknown options are errors.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> args, IReadOnlyCollection<string> knownOptions)
    {
        using IEnumerator<string> e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                Positional.Add(arg);
                continue;
            }
            if (!knownOptions.Contains(arg))
            {
                throw new UsageException($"Unknown option '{arg}'.");
            }
            if (!e.MoveNext())
            {
                throw new UsageException($"Option '{arg}' needs a value.");
            }
            _options[arg] = e.Current;
        }
    }

    public List<string> Positional { get; } = [];

    public string? this[string option] => _options.GetValueOrDefault(option);
}

/// <summary>The command line is wrong: print the message and the usage, exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
