using System;
using System.Globalization;
using System.Text;

namespace ModelBuild.Shared
{
    /// <summary>
    /// The naming rules for generated classes and namespaces, in one place: the MSBuild tasks check them before a model
    /// is compiled (MB4002, MB4004) and the source generator checks them again on the signature file (MB2003).
    /// </summary>
    internal static class ModelNaming
    {
        /// <summary>C#'s reserved keywords: never an identifier without '@', which generated names do not use.</summary>
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

        /// <summary>Members the generator writes into every model class: the class cannot share a name with one (CS0542).</summary>
        public static readonly string[] ModelClassMemberNames =
        {
            "Description", "Session", "Variant", "ExecutionProvider", "Load", "Run", "RunAsync", "Dispose", "AddInputs", "CreateDescription",
        };

        /// <summary>C# limits identifiers to 512 chars (CS0645); generated names leave room for prefixes and suffixes.</summary>
        public const int MaxIdentifierLength = 400;

        /// <summary>
        /// File name without extension in PascalCase: split on every character that is not a letter or digit,
        /// upper-case the first letter of each part, keep the rest; a leading digit gets the prefix "Model", and a name
        /// the rules refuse (a member of the generated class such as <c>Session</c>) the suffix "Model".
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
            if (result.Length > MaxIdentifierLength)
            {
                result.Length = MaxIdentifierLength;
            }
            if (result.Length == 0 || char.IsDigit(result[0]))
            {
                result.Insert(0, "Model");
            }
            string name = result.ToString();
            return CheckClassName(name) == null ? name : name + "Model";
        }

        /// <summary>Null when <paramref name="name"/> can be a generated class name, otherwise the reason.</summary>
        public static string? CheckClassName(string name)
        {
            string? reason = CheckIdentifier(name);
            if (reason != null)
            {
                return reason;
            }

            // CS8981: type names of only lower-case ASCII letters may become keywords; the warning would
            // break builds with TreatWarningsAsErrors, and generated code carries no #pragma.
            bool allLowerAscii = true;
            foreach (char c in name)
            {
                allLowerAscii &= c >= 'a' && c <= 'z';
            }
            // This also refuses the contextual keywords that cannot name a type (record, var, dynamic, file, required, scoped).
            if (allLowerAscii)
            {
                return "a type name of only lower-case ASCII letters is reserved for future C# keywords";
            }
            if (Array.IndexOf(ModelClassMemberNames, name) >= 0)
            {
                return "it is the name of a member of the generated model class";
            }
            return null;
        }

        /// <summary>Null when <paramref name="ns"/> is a valid dotted namespace name, otherwise the reason.</summary>
        public static string? CheckNamespace(string ns)
        {
            if (ns.Length == 0)
            {
                return "it is empty (generated types need a namespace)";
            }
            foreach (string part in ns.Split('.'))
            {
                string? reason = CheckIdentifier(part);
                if (reason != null)
                {
                    return reason;
                }
                if (part == "global")
                {
                    return "'global' cannot be part of a namespace name";
                }
            }
            return null;
        }

        /// <summary>
        /// A plain C# identifier (no '@' escape): a letter or '_' first, then letters, digits, '_', combining marks or
        /// connectors; not a keyword; no format characters (U+200B, U+00AD, U+202E), which C# silently drops, so two
        /// different-looking names would be one identifier.
        /// </summary>
        private static string? CheckIdentifier(string name)
        {
            if (name.Length == 0)
            {
                return "it is empty";
            }
            if (name.Length > MaxIdentifierLength)
            {
                return $"it is longer than {MaxIdentifierLength} characters";
            }
            for (int i = 0; i < name.Length; i++)
            {
                UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(name[i]);
                if (category == UnicodeCategory.Format)
                {
                    return "it contains the invisible format character U+" + ((int)name[i]).ToString("X4", CultureInfo.InvariantCulture);
                }
                bool allowed = name[i] == '_' || IsLetter(category)
                    || (i > 0 && (category == UnicodeCategory.DecimalDigitNumber || category == UnicodeCategory.ConnectorPunctuation
                                  || category == UnicodeCategory.NonSpacingMark || category == UnicodeCategory.SpacingCombiningMark));
                if (!allowed)
                {
                    return "it is not a C# identifier";
                }
            }
            if (Array.IndexOf(Keywords, name) >= 0)
            {
                return "it is a C# keyword";
            }
            return null;
        }

        private static bool IsLetter(UnicodeCategory category) =>
            category == UnicodeCategory.UppercaseLetter || category == UnicodeCategory.LowercaseLetter
            || category == UnicodeCategory.TitlecaseLetter || category == UnicodeCategory.ModifierLetter
            || category == UnicodeCategory.OtherLetter || category == UnicodeCategory.LetterNumber;

        // Letters and digits as C# identifiers allow them; format characters are separators in default names.
        private static bool IsLetterOrDigit(char c) => IsLetter(CharUnicodeInfo.GetUnicodeCategory(c)) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber;
    }
}
