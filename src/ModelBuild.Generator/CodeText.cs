using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelBuild.Generator
{
    /// <summary>
    /// Turns text taken from a model into text that is safe where it lands in generated code.
    /// Nothing from a model reaches the output except through these functions.
    /// </summary>
    internal static class CodeText
    {
        /// <summary>Doc strings longer than this are cut in XML doc comments (the literal keeps all of it).</summary>
        public const int MaxDocLength = 1000;

        /// <summary>Model text in diagnostic messages is cut at this length.</summary>
        public const int MaxMessageLength = 200;

        /// <summary>
        /// A C# regular string literal that is always one line of printable ASCII: every char outside
        /// U+0020..U+007E becomes <c>\uXXXX</c> (surrogate pairs as two escapes), <c>"</c> and <c>\</c> are escaped.
        /// </summary>
        public static string Literal(string? value)
        {
            if (value is null)
            {
                return "null";
            }

            var sb = new StringBuilder(value.Length + 2);
            sb.Append('"');
            foreach (char c in value)
            {
                if (c == '"')
                {
                    sb.Append("\\\"");
                }
                else if (c == '\\')
                {
                    sb.Append("\\\\");
                }
                else if (c >= 0x20 && c <= 0x7E)
                {
                    sb.Append(c);
                }
                else
                {
                    AppendUnicodeEscape(sb, c);
                }
            }

            sb.Append('"');
            return sb.ToString();
        }

        /// <summary>A C# <c>long</c> literal.</summary>
        public static string Int64(long value) => value.ToString(CultureInfo.InvariantCulture) + "L";

        /// <summary>
        /// Text for the content of an XML doc comment element: <c>&amp; &lt; &gt; " '</c> as entities (so no
        /// element such as <c>&lt;include&gt;</c> and no end tag can appear), and every line break, control,
        /// format, surrogate, private-use or unassigned char as visible <c>\uXXXX</c> text, so the comment
        /// stays on its one <c>///</c> line (a CR, LF, U+0085, U+2028 or U+2029 would end it and let the rest
        /// be code or a directive). Long text is cut at <paramref name="maxLength"/> chars with a note.
        /// </summary>
        public static string Xml(string? value, int maxLength = MaxDocLength)
        {
            if (string.IsNullOrEmpty(value))
            {
                return string.Empty;
            }

            string text = Truncate(value!, maxLength, out bool truncated);
            var sb = new StringBuilder(text.Length + 16);
            foreach (char c in text)
            {
                switch (c)
                {
                    case '&': sb.Append("&amp;"); break;
                    case '<': sb.Append("&lt;"); break;
                    case '>': sb.Append("&gt;"); break;
                    case '"': sb.Append("&quot;"); break;
                    case '\'': sb.Append("&apos;"); break;
                    default:
                        if (IsUnsafeInComment(c))
                        {
                            AppendUnicodeEscape(sb, c);
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            if (truncated)
            {
                sb.Append(" \u2026 (truncated; ")
                  .Append(value!.Length.ToString(CultureInfo.InvariantCulture))
                  .Append(" characters in all)");
            }

            return sb.ToString();
        }

        /// <summary>Model text for a diagnostic message: one line, no control or format chars, bounded length.</summary>
        public static string ForMessage(string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return string.Empty;
            }

            string text = Truncate(value!, MaxMessageLength, out bool truncated);
            var sb = new StringBuilder(text.Length + 8);
            foreach (char c in text)
            {
                if (IsUnsafeInComment(c))
                {
                    AppendUnicodeEscape(sb, c);
                }
                else
                {
                    sb.Append(c);
                }
            }

            if (truncated)
            {
                sb.Append('\u2026');
            }

            return sb.ToString();
        }

        private static string Truncate(string value, int maxLength, out bool truncated)
        {
            truncated = value.Length > maxLength;
            if (!truncated)
            {
                return value;
            }

            int length = maxLength;
            if (char.IsHighSurrogate(value[length - 1]))
            {
                length--; // never split a surrogate pair
            }

            return value.Substring(0, length);
        }

        /// <summary>Chars that must never appear raw in a comment or message.</summary>
        public static bool IsUnsafeInComment(char c)
        {
            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control:            // Cc: CR, LF, U+0085, ...
                case UnicodeCategory.Format:             // Cf: U+200B, U+00AD, U+202E (bidi override), ...
                case UnicodeCategory.LineSeparator:      // Zl: U+2028
                case UnicodeCategory.ParagraphSeparator: // Zp: U+2029
                case UnicodeCategory.Surrogate:          // lone or paired: keeps the file valid UTF-8 text
                case UnicodeCategory.PrivateUse:
                case UnicodeCategory.OtherNotAssigned:   // includes U+FFFE/U+FFFF, invalid in XML
                    return true;
                default:
                    return false;
            }
        }

        private static void AppendUnicodeEscape(StringBuilder sb, char c) =>
            sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));

        /// <summary>ONNX element type name → C# type for <c>DenseTensor&lt;T&gt;</c>, or null when there is none.</summary>
        public static string? ClrElementType(string elementType)
        {
            switch (elementType)
            {
                case "float": return "float";
                case "double": return "double";
                case "int8": return "sbyte";
                case "uint8": return "byte";
                case "int16": return "short";
                case "uint16": return "ushort";
                case "int32": return "int";
                case "uint32": return "uint";
                case "int64": return "long";
                case "uint64": return "ulong";
                case "bool": return "bool";
                case "string": return "string";
                case "float16": return "global::Microsoft.ML.OnnxRuntime.Float16";
                case "bfloat16": return "global::Microsoft.ML.OnnxRuntime.BFloat16";
                default: return null;
            }
        }

        /// <summary>
        /// PascalCase property name for an ONNX value name: split on every char that is not a letter or digit
        /// (Lu Ll Lt Lm Lo Nl Nd; format chars, marks, punctuation and surrogates separate), upper-case the first
        /// char of each part (invariant), keep the rest, join; prefix <paramref name="prefix"/> when the result is
        /// empty or starts with a digit.
        /// </summary>
        public static string PascalCase(string name, string prefix)
        {
            var sb = new StringBuilder(name.Length);
            bool startOfPart = true;
            foreach (char c in name)
            {
                if (IsLetterOrDigit(c))
                {
                    sb.Append(startOfPart ? char.ToUpperInvariant(c) : c);
                    startOfPart = false;
                }
                else
                {
                    startOfPart = true;
                }
            }

            // C# limits identifiers to 512 chars (CS0645); leave room for a prefix and a collision suffix.
            const int MaxIdentifierLength = 400;
            if (sb.Length > MaxIdentifierLength)
            {
                sb.Length = MaxIdentifierLength;
            }

            if (sb.Length == 0 || CharUnicodeInfo.GetUnicodeCategory(sb[0]) == UnicodeCategory.DecimalDigitNumber)
            {
                sb.Insert(0, prefix);
            }

            string result = sb.ToString();
            return SyntaxFacts.GetKeywordKind(result) != SyntaxKind.None ? "@" + result : result;
        }

        private static bool IsLetterOrDigit(char c)
        {
            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.UppercaseLetter:
                case UnicodeCategory.LowercaseLetter:
                case UnicodeCategory.TitlecaseLetter:
                case UnicodeCategory.ModifierLetter:
                case UnicodeCategory.OtherLetter:
                case UnicodeCategory.LetterNumber:
                case UnicodeCategory.DecimalDigitNumber:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// The members every generated Input/Output class has or inherits (object's, static ones included, and
        /// IDisposable's): a property of the same name would hide one (warning CS0108).
        /// </summary>
        public static readonly IReadOnlyList<string> ReservedMemberNames = new[]
        {
            "Dispose", "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals",
        };

        /// <summary>
        /// Property names for values in graph order; a name already taken (by an earlier value, a reserved
        /// member or a reserved class name) gets the first free suffix 2, 3, ...
        /// </summary>
        public static string[] PropertyNames(IReadOnlyList<string> onnxNames, string prefix, params string[] reservedClassNames)
        {
            var used = new HashSet<string>(ReservedMemberNames, StringComparer.Ordinal);
            foreach (string reserved in reservedClassNames)
            {
                used.Add(reserved);
            }

            var result = new string[onnxNames.Count];
            for (int i = 0; i < onnxNames.Count; i++)
            {
                string baseName = PascalCase(onnxNames[i], prefix);
                string candidate = baseName;
                for (int n = 2; used.Contains(candidate.TrimStart('@')); n++)
                {
                    candidate = baseName + n.ToString(CultureInfo.InvariantCulture);
                }

                used.Add(candidate.TrimStart('@'));
                result[i] = candidate;
            }

            return result;
        }
    }
}
