using System.Globalization;
using System.Text;

namespace ModelBuild.Onnx;

/// <summary>
/// Makes text taken from a model safe to put into a one-line message: line breaks and other control
/// or format characters become \uXXXX escapes, so a tensor name cannot start a new line that a build
/// tool would parse as its own "file(1,1): error ..." output.
/// </summary>
internal static class DisplayText
{
    public static string Escape(string text)
    {
        StringBuilder? builder = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            var category = char.GetUnicodeCategory(c);
            bool unsafeChar = category is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                || (char.IsSurrogate(c) && !IsPairedSurrogate(text, i));
            if (unsafeChar)
            {
                builder ??= new StringBuilder(text, 0, i, text.Length + 16);
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder?.Append(c);
            }
        }

        return builder?.ToString() ?? text;
    }

    private static bool IsPairedSurrogate(string text, int i) =>
        char.IsHighSurrogate(text[i])
            ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
            : i > 0 && char.IsHighSurrogate(text[i - 1]);
}
