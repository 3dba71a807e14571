using System;

namespace ModelBuild.Tasks
{
    /// <summary>
    /// One message of the compiler's output protocol: <c>##modelbuild|kind|code|file|text</c> with file and text
    /// percent-encoded. Only such lines become errors or warnings: any other output (which may carry text from a
    /// hostile model) is logged as plain low-importance text and never parsed as a canonical MSBuild error.
    /// </summary>
    internal sealed class CompilerMessage
    {
        public const string Prefix = "##modelbuild|";

        private CompilerMessage(string kind, string code, string file, string text)
        {
            Kind = kind;
            Code = code;
            File = file;
            Text = text;
        }

        /// <summary><c>error</c>, <c>warning</c>, <c>info</c> (normal importance) or <c>detail</c> (low importance).</summary>
        public string Kind { get; }
        public string Code { get; }
        public string File { get; }
        public string Text { get; }

        public static CompilerMessage? TryParse(string line)
        {
            if (!line.StartsWith(Prefix, StringComparison.Ordinal))
            {
                return null;
            }
            string[] parts = line.Substring(Prefix.Length).Split('|');
            if (parts.Length != 4)
            {
                return null;
            }
            try
            {
                return new CompilerMessage(parts[0], parts[1], Uri.UnescapeDataString(parts[2]), Uri.UnescapeDataString(parts[3]));
            }
            catch (UriFormatException)
            {
                return null;
            }
        }
    }
}
