using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelBuild.Shared;

namespace ModelBuild.Generator
{
    /// <summary>
    /// Reads a <c>.modelsig.json</c> file (format: docs/architecture.md) into a <see cref="ModelSignature"/>.
    /// Format errors stop at the first one (MB2001); semantic problems (MB2003/4/5) are all collected.
    /// </summary>
    internal static class SignatureParser
    {
        public const string SupportedSchema = "modelbuild-signature/1";

        private sealed class FormatException : Exception
        {
            public FormatException(string message, JsonNode? at)
                : base(message)
            {
                At = at;
            }

            public JsonNode? At { get; }
        }

        public static ModelSignature Parse(string filePath, string? text)
        {
            if (text is null)
            {
                return ModelSignature.Failed(filePath, Diagnostics.Info("MB2001", filePath, filePath, "the file could not be read", "0", "0"));
            }

            JsonNode root;
            try
            {
                root = JsonReader.Parse(text);
            }
            catch (JsonParseException e)
            {
                return ModelSignature.Failed(filePath, Diagnostics.InfoAt(
                    "MB2001", filePath, e.Offset, e.Line, e.Column,
                    filePath, e.Message, e.Line.ToString(CultureInfo.InvariantCulture), e.Column.ToString(CultureInfo.InvariantCulture)));
            }

            try
            {
                return Read(filePath, root);
            }
            catch (FormatException e)
            {
                JsonNode at = e.At ?? root;
                return ModelSignature.Failed(filePath, Diagnostics.InfoAt(
                    "MB2001", filePath, at.Offset, at.Line, at.Column,
                    filePath, e.Message, at.Line.ToString(CultureInfo.InvariantCulture), at.Column.ToString(CultureInfo.InvariantCulture)));
            }
        }

        private static ModelSignature Read(string filePath, JsonNode root)
        {
            Expect(root, JsonKind.Object, "the signature");
            string schema = GetString(root, "schema");
            if (!string.Equals(schema, SupportedSchema, StringComparison.Ordinal))
            {
                JsonNode at = root.Get("schema")!;
                return ModelSignature.Failed(filePath, Diagnostics.InfoAt("MB2002", filePath, at.Offset, at.Line, at.Column, filePath, schema, SupportedSchema));
            }

            string className = GetString(root, "className");
            string ns = GetString(root, "namespace");
            string access = GetString(root, "access");
            if (access != "public" && access != "internal")
            {
                throw new FormatException("\"access\" must be \"public\" or \"internal\"", root.Get("access"));
            }

            string modelFileName = GetString(root, "modelFileName");
            string assetPath = GetString(root, "assetPath");
            string sha256 = GetString(root, "sha256");
            long irVersion = GetInt64(root, "irVersion");
            var opsets = new List<OpsetImportSpec>();
            foreach (JsonNode item in GetArray(root, "opsetImports"))
            {
                Expect(item, JsonKind.Object, "an opset import");
                opsets.Add(new OpsetImportSpec(GetString(item, "domain"), GetInt64(item, "version")));
            }

            string producerName = GetString(root, "producerName");
            string producerVersion = GetString(root, "producerVersion");
            string graphName = GetString(root, "graphName");
            string docString = GetString(root, "docString");
            // Optional: signatures written before ModelVersion existed have none.
            string modelVersion = root.Get("modelVersion") is null ? string.Empty : GetString(root, "modelVersion");
            List<ValueSpec> inputs = GetArray(root, "inputs").Select(ReadValue).ToList();
            List<ValueSpec> outputs = GetArray(root, "outputs").Select(ReadValue).ToList();
            List<VariantSpec> variants = ReadVariants(root);

            var diagnostics = new List<DiagnosticInfo>();
            string? classProblem = ModelNaming.CheckClassName(className);
            if (classProblem != null)
            {
                diagnostics.Add(Diagnostics.Info("MB2003", filePath, filePath, "class name", className, classProblem));
            }

            string? nsProblem = ModelNaming.CheckNamespace(ns);
            if (nsProblem != null)
            {
                diagnostics.Add(Diagnostics.Info("MB2003", filePath, filePath, "namespace", ns, nsProblem));
            }

            string modelName = classProblem == null ? className : Path.GetFileName(filePath);
            foreach (ValueSpec input in inputs)
            {
                CheckType(diagnostics, filePath, modelName, "input", input);
            }

            foreach (ValueSpec output in outputs)
            {
                CheckType(diagnostics, filePath, modelName, "output", output);
            }

            if (outputs.Count == 0)
            {
                diagnostics.Add(Diagnostics.Info("MB2005", filePath, modelName));
            }

            return new ModelSignature(
                filePath, className, ns, access, modelFileName, assetPath, sha256, irVersion,
                new EquatableArray<OpsetImportSpec>(opsets), producerName, producerVersion, graphName, docString, modelVersion,
                new EquatableArray<ValueSpec>(inputs), new EquatableArray<ValueSpec>(outputs),
                new EquatableArray<VariantSpec>(variants), new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        /// <summary>The compiled variants, at least one: every signature the compiler writes lists them.</summary>
        private static List<VariantSpec> ReadVariants(JsonNode root)
        {
            var variants = new List<VariantSpec>();
            foreach (JsonNode item in GetArray(root, "variants"))
            {
                Expect(item, JsonKind.Object, "a variant");
                variants.Add(new VariantSpec(
                    GetString(item, "target"), GetString(item, "quantize"), GetString(item, "executionProvider"),
                    GetString(item, "assetPath"), GetString(item, "sha256")));
            }

            if (variants.Count == 0)
            {
                throw new FormatException("\"variants\" must list at least one variant", root.Get("variants"));
            }

            return variants;
        }

        private static void CheckType(List<DiagnosticInfo> diagnostics, string filePath, string modelName, string role, ValueSpec value)
        {
            if (ValueTypes.CSharpType(value.Type) is null)
            {
                diagnostics.Add(Diagnostics.Info("MB2004", filePath, modelName, role, value.Name, value.Type.Display));
            }
        }

        private static ValueSpec ReadValue(JsonNode node)
        {
            Expect(node, JsonKind.Object, "an input or output");
            return new ValueSpec(GetString(node, "name"), GetString(node, "docString"), ReadType(Require(node, "type"), 0));
        }

        private static TypeSpec ReadType(JsonNode node, int depth)
        {
            Expect(node, JsonKind.Object, "a type");
            if (depth > 16)
            {
                throw new FormatException("types are nested too deeply", node);
            }

            string kind = GetString(node, "kind");
            switch (kind)
            {
                case "tensor":
                case "sparseTensor":
                {
                    string elem = GetString(node, "elementType");
                    JsonNode shapeNode = Require(node, "shape");
                    var dims = new List<DimensionSpec>();
                    if (shapeNode.Kind != JsonKind.Null)
                    {
                        Expect(shapeNode, JsonKind.Array, "\"shape\"");
                        foreach (JsonNode dim in shapeNode.Items)
                        {
                            dims.Add(ReadDim(dim));
                        }
                    }

                    bool hasShape = shapeNode.Kind != JsonKind.Null;
                    string shape = hasShape ? FormatShape(dims) : "unknown rank";
                    string display = (kind == "tensor" ? "tensor(" : "sparse_tensor(") + elem + ") " + shape;
                    return new TypeSpec(kind, elem, hasShape, new EquatableArray<DimensionSpec>(dims), display);
                }

                case "sequence":
                case "optional":
                {
                    TypeSpec inner = ReadType(Require(node, "elementType"), depth + 1);
                    return new TypeSpec(kind, string.Empty, false, EquatableArray<DimensionSpec>.Empty, kind + "(" + inner.Display + ")", inner);
                }

                case "map":
                {
                    string key = GetString(node, "keyType");
                    TypeSpec value = ReadType(Require(node, "valueType"), depth + 1);
                    return new TypeSpec(kind, string.Empty, false, EquatableArray<DimensionSpec>.Empty, "map(" + key + ", " + value.Display + ")", value, key);
                }

                case "unknown":
                    return new TypeSpec(kind, string.Empty, false, EquatableArray<DimensionSpec>.Empty, "unknown");
                default:
                    throw new FormatException("unknown type kind \"" + kind + "\"", node.Get("kind"));
            }
        }

        private static DimensionSpec ReadDim(JsonNode node)
        {
            Expect(node, JsonKind.Object, "a dimension");
            JsonNode? value = node.Get("value");
            JsonNode? param = node.Get("param");
            if (value != null && param != null)
            {
                throw new FormatException("a dimension has either \"value\" or \"param\", not both", node);
            }

            if (value != null)
            {
                long v = ToInt64(value, "\"value\"");
                if (v < 0)
                {
                    throw new FormatException("a dimension value must not be negative", value);
                }

                return new DimensionSpec(v, null);
            }

            if (param != null)
            {
                Expect(param, JsonKind.String, "\"param\"");
                return new DimensionSpec(null, param.Text);
            }

            return new DimensionSpec(null, null);
        }

        /// <summary><c>[batch, 4, ?]</c>: names verbatim (escape at the use site), <c>?</c> for any size.</summary>
        public static string FormatShape(IEnumerable<DimensionSpec> dims) =>
            "[" + string.Join(", ", dims.Select(d => d.Value.HasValue ? d.Value.Value.ToString(CultureInfo.InvariantCulture) : d.Param ?? "?")) + "]";

        private static JsonNode Require(JsonNode obj, string key)
        {
            JsonNode? node = obj.Get(key);
            if (node is null)
            {
                throw new FormatException("missing property \"" + key + "\"", obj);
            }

            return node;
        }

        private static void Expect(JsonNode node, JsonKind kind, string what)
        {
            if (node.Kind != kind)
            {
                throw new FormatException(what + " must be " + JsonNode.Describe(kind) + ", not " + JsonNode.Describe(node.Kind), node);
            }
        }

        private static string GetString(JsonNode obj, string key)
        {
            JsonNode node = Require(obj, key);
            Expect(node, JsonKind.String, "\"" + key + "\"");
            return node.Text;
        }

        private static long GetInt64(JsonNode obj, string key) => ToInt64(Require(obj, key), "\"" + key + "\"");

        private static long ToInt64(JsonNode node, string what)
        {
            Expect(node, JsonKind.Number, what);
            if (!long.TryParse(node.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                throw new FormatException(what + " must be an integer in the range of a 64-bit signed integer", node);
            }

            return value;
        }

        private static List<JsonNode> GetArray(JsonNode obj, string key)
        {
            JsonNode node = Require(obj, key);
            Expect(node, JsonKind.Array, "\"" + key + "\"");
            return node.Items;
        }
    }
}
