using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ModelBuild.Generator
{
    internal enum JsonKind
    {
        Null,
        False,
        True,
        Number,
        String,
        Array,
        Object,
    }

    /// <summary>A parsed JSON value with the position where it starts (for error messages).</summary>
    internal sealed class JsonNode
    {
        public JsonNode(JsonKind kind, int offset, int line, int column)
        {
            Kind = kind;
            Offset = offset;
            Line = line;
            Column = column;
        }

        public JsonKind Kind { get; }

        public int Offset { get; }

        /// <summary>1-based line.</summary>
        public int Line { get; }

        /// <summary>1-based column (in UTF-16 code units).</summary>
        public int Column { get; }

        /// <summary>String value, or the raw text of a number.</summary>
        public string Text { get; set; } = string.Empty;

        public List<JsonNode> Items { get; } = new List<JsonNode>();

        /// <summary>Object members in document order (keys are unique; duplicates are a parse error).</summary>
        public List<KeyValuePair<string, JsonNode>> Members { get; } = new List<KeyValuePair<string, JsonNode>>();

        public JsonNode? Get(string key)
        {
            foreach (KeyValuePair<string, JsonNode> member in Members)
            {
                if (string.Equals(member.Key, key, StringComparison.Ordinal))
                {
                    return member.Value;
                }
            }

            return null;
        }

        public static string Describe(JsonKind kind)
        {
            switch (kind)
            {
                case JsonKind.Null: return "null";
                case JsonKind.False:
                case JsonKind.True: return "a boolean";
                case JsonKind.Number: return "a number";
                case JsonKind.String: return "a string";
                case JsonKind.Array: return "an array";
                default: return "an object";
            }
        }
    }

    internal sealed class JsonParseException : Exception
    {
        public JsonParseException(string message, int offset, int line, int column)
            : base(message)
        {
            Offset = offset;
            Line = line;
            Column = column;
        }

        public int Offset { get; }

        public int Line { get; }

        public int Column { get; }
    }

    /// <summary>
    /// A small strict RFC 8259 JSON reader: no comments, no trailing commas, no single quotes, no
    /// unescaped control characters, no duplicate keys, no leading zeros, nothing after the value,
    /// bounded nesting. Errors carry 1-based line and column.
    /// </summary>
    internal sealed class JsonReader
    {
        public const int MaxDepth = 64;

        private readonly string _text;
        private int _pos;
        private int _line = 1;
        private int _lineStart;

        private JsonReader(string text)
        {
            _text = text;
        }

        public static JsonNode Parse(string text)
        {
            var reader = new JsonReader(text);
            // Tolerate a UTF-8 BOM that an editor may have added (the compiler writes none).
            if (reader._text.Length > 0 && reader._text[0] == '\uFEFF')
            {
                reader._pos = 1;
                reader._lineStart = 1;
            }

            reader.SkipWhitespace();
            JsonNode root = reader.ParseValue(0);
            reader.SkipWhitespace();
            if (reader._pos < reader._text.Length)
            {
                throw reader.Error("unexpected content after the end of the JSON value");
            }

            return root;
        }

        private JsonParseException Error(string message) => ErrorAt(message, _pos);

        private JsonParseException ErrorAt(string message, int offset)
        {
            // Offsets on the current line only (callers never point back across a line break).
            return new JsonParseException(message, offset, _line, offset - _lineStart + 1);
        }

        private void SkipWhitespace()
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == ' ' || c == '\t' || c == '\r')
                {
                    _pos++;
                }
                else if (c == '\n')
                {
                    _pos++;
                    _line++;
                    _lineStart = _pos;
                }
                else
                {
                    break;
                }
            }
        }

        private JsonNode NewNode(JsonKind kind) => new JsonNode(kind, _pos, _line, _pos - _lineStart + 1);

        private JsonNode ParseValue(int depth)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unexpected end of file, expected a value");
            }

            char c = _text[_pos];
            switch (c)
            {
                case '{':
                    return ParseObject(depth + 1);
                case '[':
                    return ParseArray(depth + 1);
                case '"':
                {
                    JsonNode node = NewNode(JsonKind.String);
                    node.Text = ParseString();
                    return node;
                }

                case 't':
                    return ParseLiteral("true", JsonKind.True);
                case 'f':
                    return ParseLiteral("false", JsonKind.False);
                case 'n':
                    return ParseLiteral("null", JsonKind.Null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                    {
                        return ParseNumber();
                    }

                    throw Error(string.Format(CultureInfo.InvariantCulture, "unexpected character {0}, expected a value", DescribeChar(c)));
            }
        }

        private static string DescribeChar(char c)
        {
            return c >= 0x21 && c <= 0x7E
                ? "'" + c + "'"
                : "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
        }

        private JsonNode ParseLiteral(string literal, JsonKind kind)
        {
            JsonNode node = NewNode(kind);
            if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) != 0)
            {
                throw Error("invalid literal, expected '" + literal + "'");
            }

            _pos += literal.Length;
            return node;
        }

        private JsonNode ParseNumber()
        {
            JsonNode node = NewNode(JsonKind.Number);
            int start = _pos;
            if (Peek() == '-')
            {
                _pos++;
            }

            if (Peek() == '0')
            {
                _pos++;
                if (IsDigit(Peek()))
                {
                    throw Error("leading zeros are not allowed in numbers");
                }
            }
            else if (IsDigit(Peek()))
            {
                while (IsDigit(Peek()))
                {
                    _pos++;
                }
            }
            else
            {
                throw Error("invalid number, expected a digit");
            }

            if (Peek() == '.')
            {
                _pos++;
                if (!IsDigit(Peek()))
                {
                    throw Error("invalid number, expected a digit after '.'");
                }

                while (IsDigit(Peek()))
                {
                    _pos++;
                }
            }

            if (Peek() == 'e' || Peek() == 'E')
            {
                _pos++;
                if (Peek() == '+' || Peek() == '-')
                {
                    _pos++;
                }

                if (!IsDigit(Peek()))
                {
                    throw Error("invalid number, expected a digit in the exponent");
                }

                while (IsDigit(Peek()))
                {
                    _pos++;
                }
            }

            node.Text = _text.Substring(start, _pos - start);
            return node;
        }

        private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private string ParseString()
        {
            _pos++; // opening quote
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length)
                {
                    throw Error("unterminated string");
                }

                char c = _text[_pos];
                if (c == '"')
                {
                    _pos++;
                    return sb.ToString();
                }

                if (c < 0x20)
                {
                    throw Error("unescaped control character " + DescribeChar(c) + " in string");
                }

                if (c != '\\')
                {
                    sb.Append(c);
                    _pos++;
                    continue;
                }

                _pos++;
                if (_pos >= _text.Length)
                {
                    throw Error("unterminated escape sequence");
                }

                char e = _text[_pos];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                    {
                        int value = 0;
                        for (int i = 1; i <= 4; i++)
                        {
                            int digit = _pos + i < _text.Length ? HexValue(_text[_pos + i]) : -1;
                            if (digit < 0)
                            {
                                throw ErrorAt("invalid \\u escape, expected four hex digits", _pos + i);
                            }

                            value = (value * 16) + digit;
                        }

                        sb.Append((char)value);
                        _pos += 4;
                        break;
                    }

                    default:
                        throw Error("invalid escape sequence \\" + DescribeChar(e).Trim('\''));
                }

                _pos++;
            }
        }

        private static int HexValue(char c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }

            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }

            if (c >= 'A' && c <= 'F')
            {
                return c - 'A' + 10;
            }

            return -1;
        }

        private JsonNode ParseArray(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error("nesting is deeper than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels");
            }

            JsonNode node = NewNode(JsonKind.Array);
            _pos++;
            SkipWhitespace();
            if (Peek() == ']')
            {
                _pos++;
                return node;
            }

            while (true)
            {
                SkipWhitespace();
                node.Items.Add(ParseValue(depth));
                SkipWhitespace();
                if (Peek() == ',')
                {
                    _pos++;
                    SkipWhitespace();
                    if (Peek() == ']')
                    {
                        throw Error("trailing comma in array");
                    }

                    continue;
                }

                if (Peek() == ']')
                {
                    _pos++;
                    return node;
                }

                throw Error(_pos >= _text.Length ? "unexpected end of file in array" : "expected ',' or ']' in array");
            }
        }

        private JsonNode ParseObject(int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error("nesting is deeper than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels");
            }

            JsonNode node = NewNode(JsonKind.Object);
            _pos++;
            SkipWhitespace();
            if (Peek() == '}')
            {
                _pos++;
                return node;
            }

            var keys = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                SkipWhitespace();
                if (Peek() != '"')
                {
                    throw Error(_pos >= _text.Length ? "unexpected end of file in object" : "expected a property name in double quotes");
                }

                int keyOffset = _pos;
                string key = ParseString();
                if (!keys.Add(key))
                {
                    throw ErrorAt("duplicate property \"" + key + "\"", keyOffset);
                }

                SkipWhitespace();
                if (Peek() != ':')
                {
                    throw Error("expected ':' after a property name");
                }

                _pos++;
                SkipWhitespace();
                node.Members.Add(new KeyValuePair<string, JsonNode>(key, ParseValue(depth)));
                SkipWhitespace();
                if (Peek() == ',')
                {
                    _pos++;
                    SkipWhitespace();
                    if (Peek() == '}')
                    {
                        throw Error("trailing comma in object");
                    }

                    continue;
                }

                if (Peek() == '}')
                {
                    _pos++;
                    return node;
                }

                throw Error(_pos >= _text.Length ? "unexpected end of file in object" : "expected ',' or '}' in object");
            }
        }
    }
}
