using System.Text.Encodings.Web;
using System.Text.Json;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx.Protos;
using ModelBuild.Shared;

namespace ModelBuild.Compiler.Signature;

/// <summary>
/// Writes the signature file the source generator reads (format: docs/architecture.md). Deterministic: fixed
/// key order, "\n" line ends, and non-ASCII / HTML-sensitive characters always escaped, on every OS.
/// </summary>
internal static class SignatureWriter
{
    public const string Schema = "modelbuild-signature/1";

    /// <summary>
    /// The first variant (canonical target order) is the model's default asset (<c>assetPath</c>, <c>sha256</c>);
    /// <c>variants</c> lists them all for the runtime's variant selection.
    /// </summary>
    public static byte[] Write(CompileJob job, ModelProto model, IReadOnlyList<CompiledVariant> variants, Func<CompiledVariant, string> sha256Of)
    {
        CompiledVariant primary = variants[0];
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.Default };
        using (var json = new Utf8JsonWriter(stream, options))
        {
            string fileName = Path.GetFileName(job.Model);
            json.WriteStartObject();
            json.WriteString("schema", Schema);
            json.WriteString("className", job.ClassName);
            json.WriteString("namespace", job.Namespace);
            json.WriteString("access", job.Access);
            json.WriteString("modelFileName", fileName);
            json.WriteString("assetPath", AssetPath(job, primary));
            json.WriteString("sha256", sha256Of(primary));
            json.WriteNumber("irVersion", model.IrVersion);
            json.WriteStartArray("opsetImports");
            foreach (OperatorSetIdProto opset in model.OpsetImport)
            {
                json.WriteStartObject();
                json.WriteString("domain", opset.Domain);
                json.WriteNumber("version", opset.Version);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("producerName", model.ProducerName);
            json.WriteString("producerVersion", model.ProducerVersion);
            json.WriteString("graphName", model.Graph.Name);
            json.WriteString("docString", model.DocString);
            json.WriteString("modelVersion", job.ModelVersion ?? string.Empty);
            var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            // Inputs backed by an initializer are overridable constants, not inputs callers must feed (as in ONNX Runtime).
            WriteValues(json, "inputs", model.Graph.Input.Where(i => !initializers.Contains(i.Name)));
            WriteValues(json, "outputs", model.Graph.Output);
            json.WriteStartArray("variants");
            foreach (CompiledVariant variant in variants)
            {
                json.WriteStartObject();
                json.WriteString("target", variant.Plan.Target.Name());
                json.WriteString("quantize", variant.Plan.Applied.Name());
                json.WriteString("executionProvider", variant.Plan.ExecutionProvider);
                json.WriteString("assetPath", AssetPath(job, variant));
                json.WriteString("sha256", sha256Of(variant));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    private static string AssetPath(CompileJob job, CompiledVariant variant) =>
        $"{job.AssetPathPrefix}{variant.Plan.Target.Name()}/{variant.FileName}";

    private static void WriteValues(Utf8JsonWriter json, string name, IEnumerable<ValueInfoProto> values)
    {
        json.WriteStartArray(name);
        foreach (ValueInfoProto value in values)
        {
            json.WriteStartObject();
            json.WriteString("name", value.Name);
            json.WriteString("docString", value.DocString);
            json.WritePropertyName("type");
            WriteType(json, value.Type);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteType(Utf8JsonWriter json, TypeProto? type)
    {
        json.WriteStartObject();
        switch (type?.ValueCase)
        {
            case TypeProto.ValueOneofCase.TensorType:
                json.WriteString("kind", "tensor");
                json.WriteString("elementType", ElementTypeTable.NameOf(type.TensorType.ElemType));
                WriteShape(json, type.TensorType.Shape);
                break;
            case TypeProto.ValueOneofCase.SparseTensorType:
                json.WriteString("kind", "sparseTensor");
                json.WriteString("elementType", ElementTypeTable.NameOf(type.SparseTensorType.ElemType));
                WriteShape(json, type.SparseTensorType.Shape);
                break;
            case TypeProto.ValueOneofCase.SequenceType:
                json.WriteString("kind", "sequence");
                json.WritePropertyName("elementType");
                WriteType(json, type.SequenceType.ElemType);
                break;
            case TypeProto.ValueOneofCase.MapType:
                json.WriteString("kind", "map");
                json.WriteString("keyType", ElementTypeTable.NameOf(type.MapType.KeyType));
                json.WritePropertyName("valueType");
                WriteType(json, type.MapType.ValueType);
                break;
            case TypeProto.ValueOneofCase.OptionalType:
                json.WriteString("kind", "optional");
                json.WritePropertyName("elementType");
                WriteType(json, type.OptionalType.ElemType);
                break;
            default:
                json.WriteString("kind", "unknown");
                break;
        }
        json.WriteEndObject();
    }

    private static void WriteShape(Utf8JsonWriter json, TensorShapeProto? shape)
    {
        if (shape is null)
        {
            json.WriteNull("shape");
            return;
        }
        json.WriteStartArray("shape");
        foreach (TensorShapeProto.Types.Dimension dim in shape.Dim)
        {
            json.WriteStartObject();
            if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)
            {
                json.WriteNumber("value", dim.DimValue);
            }
            else if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam && dim.DimParam.Length > 0)
            {
                json.WriteString("param", dim.DimParam);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }
}
