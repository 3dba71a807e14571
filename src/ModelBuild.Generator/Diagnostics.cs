using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ModelBuild.Generator
{
    /// <summary>
    /// MB2xxx: source generator diagnostics. All are errors: each one means the typed wrapper for that model
    /// is not generated, so the build would fail later anyway with confusing "type not found" errors at
    /// every use; failing here, at the signature file, names the real cause. There is no warning-level
    /// case: the generator never emits partial or degraded code for a model it cannot represent.
    /// Arguments taken from the model are passed through <see cref="CodeText.ForMessage"/> so that a
    /// name with a line break cannot fake an extra "file(1,1): error ..." line in a build log.
    /// </summary>
    internal static class Diagnostics
    {
        public const string Category = "ModelBuild";

        public static readonly DiagnosticDescriptor InvalidSignatureFile = new DiagnosticDescriptor(
            "MB2001",
            "Model signature file cannot be parsed",
            "Model signature file '{0}' cannot be parsed: {1} (line {2}, column {3})",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The .modelsig.json file written by the ModelBuild compiler is not valid JSON or does not follow the signature format. Rebuild so that the compiler writes it again; do not edit it by hand.");

        public static readonly DiagnosticDescriptor UnsupportedSchema = new DiagnosticDescriptor(
            "MB2002",
            "Unsupported model signature schema version",
            "Model signature file '{0}' has schema '{1}', but this ModelBuild generator reads only '{2}'",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The signature file was written by a different ModelBuild version than the generator. Use the same ModelBuild.Sdk version for the compiler and generator and rebuild.");

        public static readonly DiagnosticDescriptor InvalidName = new DiagnosticDescriptor(
            "MB2003",
            "Invalid class name or namespace in a model signature",
            "Model signature file '{0}': {1} '{2}' is not valid: {3}",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The class name or namespace for a model must be a valid C# identifier (or dotted identifiers). Set ClassName/Namespace metadata on the <Model> item.");

        public static readonly DiagnosticDescriptor UnsupportedType = new DiagnosticDescriptor(
            "MB2004",
            "Model input or output type cannot be represented in C#",
            "Model '{0}': {1} '{2}' has type '{3}', which ModelBuild cannot represent in C# yet; no code is generated for this model",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Tensors of element types float, double, int8/16/32/64, uint8/16/32/64, bool, string, float16 and bfloat16, sequences of such tensors or of maps, maps with int64/string keys and float/double/int64/string values, and optionals of a tensor or sequence become typed properties. Sparse tensors, nested sequences, other maps and other element types need a model change (e.g. Cast or a different export).");

        public static readonly DiagnosticDescriptor NoOutputs = new DiagnosticDescriptor(
            "MB2005",
            "Model has no outputs",
            "Model '{0}' has no outputs; no code is generated for it",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A graph without outputs computes nothing observable and ONNX Runtime cannot run it. Export the model with its outputs.");

        public static readonly DiagnosticDescriptor DuplicateClass = new DiagnosticDescriptor(
            "MB2006",
            "Two model signatures declare the same generated class",
            "Model signature file '{0}' declares class '{1}', which another model signature in this project also declares; no code is generated for either",
            Category,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Each <Model> item must produce a distinct Namespace.ClassName (compared ignoring case, because it is also a file name). Set ClassName metadata on one of the items.");

        public static DiagnosticDescriptor Get(string id)
        {
            switch (id)
            {
                case "MB2001": return InvalidSignatureFile;
                case "MB2002": return UnsupportedSchema;
                case "MB2003": return InvalidName;
                case "MB2004": return UnsupportedType;
                case "MB2005": return NoOutputs;
                case "MB2006": return DuplicateClass;
                default: throw new ArgumentOutOfRangeException(nameof(id), id, "unknown diagnostic id");
            }
        }

        public static DiagnosticInfo Info(string id, string filePath, params string[] args) =>
            InfoAt(id, filePath, 0, 0, 0, args);

        public static DiagnosticInfo InfoAt(string id, string filePath, int offset, int line, int column, params string[] args) =>
            new DiagnosticInfo(id, filePath, offset, line, column, new EquatableArray<string>(args.Select(CodeText.ForMessage)));

        public static Diagnostic ToDiagnostic(DiagnosticInfo info)
        {
            Location location = string.IsNullOrEmpty(info.FilePath)
                ? Location.None
                : Location.Create(
                    info.FilePath,
                    new TextSpan(info.Offset, 0),
                    info.Line > 0
                        ? new LinePositionSpan(new LinePosition(info.Line - 1, info.Column - 1), new LinePosition(info.Line - 1, info.Column - 1))
                        : default);
            return Diagnostic.Create(Get(info.Id), location, info.Arguments.Cast<object>().ToArray());
        }
    }
}
