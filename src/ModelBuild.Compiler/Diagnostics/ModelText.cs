using System.Globalization;
using System.Text;

namespace ModelBuild.Compiler.Diagnostics;

/// <summary>Makes text taken from a model (names, doc strings) safe to show in one line of a message.</summary>
internal static class ModelText
{
    private const int MaxLength = 200;

    /// <summary>Quotes the value and replaces line breaks, control and format characters by <c>\uXXXX</c>.</summary>
    public static string Quote(string value) => Quote(value, MaxLength);

    /// <summary>As <see cref="Quote(string)"/>, cut at <paramref name="maxLength"/> characters (ONNX Runtime's messages are long).</summary>
    public static string Quote(string value, int maxLength)
    {
        var text = new StringBuilder("'");
        foreach (char c in value.Length > maxLength ? value[..maxLength] : value)
        {
            UnicodeCategory category = char.GetUnicodeCategory(c);
            bool unsafeChar = category is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
            text.Append(unsafeChar ? $"\\u{(int)c:x4}" : c.ToString());
        }
        return text.Append(value.Length > maxLength ? "…'" : "'").ToString();
    }
}
