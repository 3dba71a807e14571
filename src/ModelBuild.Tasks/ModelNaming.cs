using System.Globalization;
using System.Text;

namespace ModelBuild.Tasks
{
    /// <summary>Default class names for models and the checks on user-given names and namespaces.</summary>
    internal static class ModelNaming
    {
        private static readonly string[] Keywords =
        {
            "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
            "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit",
            "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int",
            "interface", "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out",
            "override", "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed",
            "short", "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try",
            "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
        };

        /// <summary>
        /// File name without extension in PascalCase: split on every character that is not a letter or digit,
        /// upper-case the first letter of each part, keep the rest; a leading digit gets the prefix "Model".
        /// </summary>
        public static string DefaultClassName(string modelPath)
        {
            string stem = System.IO.Path.GetFileNameWithoutExtension(modelPath);
            var result = new StringBuilder();
            bool startOfPart = true;
            foreach (char c in stem)
            {
                if (!IsLetterOrDigit(c))
                {
                    startOfPart = true;
                    continue;
                }
                result.Append(startOfPart ? char.ToUpperInvariant(c) : c);
                startOfPart = false;
            }
            if (result.Length == 0 || char.IsDigit(result[0]))
            {
                result.Insert(0, "Model");
            }
            return result.ToString();
        }

        /// <summary>A plain C# identifier: letters, digits and underscores only, not a keyword (no '@' escapes).</summary>
        public static bool IsValidIdentifier(string name)
        {
            if (string.IsNullOrEmpty(name) || char.IsDigit(name[0]) || System.Array.IndexOf(Keywords, name) >= 0)
            {
                return false;
            }
            foreach (char c in name)
            {
                if (c != '_' && !IsLetterOrDigit(c))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>Dotted identifiers, e.g. <c>Contoso.App.Models</c>.</summary>
        public static bool IsValidNamespace(string ns)
        {
            if (string.IsNullOrEmpty(ns))
            {
                return false;
            }
            foreach (string part in ns.Split('.'))
            {
                if (!IsValidIdentifier(part))
                {
                    return false;
                }
            }
            return true;
        }

        // Letters and digits as C# identifiers allow them; format characters (U+200B, U+00AD, U+202E) are not,
        // because the compiler silently drops them and two different names would become one.
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
    }
}
