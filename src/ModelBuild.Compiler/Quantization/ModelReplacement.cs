using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>Puts another model's graph, IR version and opsets into a model the pipeline holds, keeping its metadata.</summary>
internal static class ModelReplacement
{
    public static void ReplaceWith(this ModelProto model, ModelProto source)
    {
        model.Graph = source.Graph;
        model.IrVersion = source.IrVersion;
        model.OpsetImport.Clear();
        model.OpsetImport.Add(source.OpsetImport);
    }
}
