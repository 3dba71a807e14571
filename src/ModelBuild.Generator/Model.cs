using System;
using System.Linq;

namespace ModelBuild.Generator
{
    // The pipeline model: plain strings, numbers and EquatableArrays only (no Roslyn symbols, nodes or
    // locations), so that equal inputs produce equal models and the driver can cache the outputs.

    /// <summary>One ONNX dimension: a value, a symbolic name, or neither (any size).</summary>
    internal sealed record DimensionSpec(long? Value, string? Param);

    internal sealed record OpsetImportSpec(string Domain, long Version);

    /// <summary>
    /// A type as in the signature file: a tensor (<see cref="ElementType"/>, <see cref="Shape"/>), or a sequence,
    /// optional or map whose element or value type is <see cref="Inner"/> (a map's key type is <see cref="KeyType"/>).
    /// <see cref="ValueTypes"/> says which become code.
    /// </summary>
    internal sealed record TypeSpec(
        string Kind,
        string ElementType,
        bool HasShape,
        EquatableArray<DimensionSpec> Shape,
        string Display,
        TypeSpec? Inner = null,
        string KeyType = "");

    internal sealed record ValueSpec(string Name, string DocString, TypeSpec Type);

    /// <summary>One compiled variant of the model, as listed in the signature's <c>variants</c>.</summary>
    internal sealed record VariantSpec(string Target, string Quantize, string ExecutionProvider, string AssetPath, string Sha256);

    /// <summary>A diagnostic as data; turned into a Roslyn <c>Diagnostic</c> only when reported.</summary>
    internal sealed record DiagnosticInfo(
        string Id,
        string FilePath,
        int Offset,
        int Line,
        int Column,
        EquatableArray<string> Arguments);

    /// <summary>Everything the emitter needs for one model, plus what went wrong while reading it.</summary>
    internal sealed record ModelSignature(
        string FilePath,
        string ClassName,
        string Namespace,
        string Access,
        string ModelFileName,
        string AssetPath,
        string Sha256,
        long IrVersion,
        EquatableArray<OpsetImportSpec> OpsetImports,
        string ProducerName,
        string ProducerVersion,
        string GraphName,
        string DocString,
        string ModelVersion,
        EquatableArray<ValueSpec> Inputs,
        EquatableArray<ValueSpec> Outputs,
        EquatableArray<VariantSpec> Variants,
        EquatableArray<DiagnosticInfo> Diagnostics)
    {
        /// <summary>Code is generated only for a signature without any diagnostic (all MB2xxx are errors).</summary>
        public bool CanEmit => Diagnostics.Count == 0;

        /// <summary>The generated file's hint name, also the key that must be unique across models.</summary>
        public string HintName => Namespace + "." + ClassName + ".g.cs";

        public static ModelSignature Failed(string filePath, params DiagnosticInfo[] diagnostics) =>
            new ModelSignature(
                filePath, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, 0,
                EquatableArray<OpsetImportSpec>.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty,
                EquatableArray<ValueSpec>.Empty, EquatableArray<ValueSpec>.Empty, EquatableArray<VariantSpec>.Empty,
                new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
    }
}
