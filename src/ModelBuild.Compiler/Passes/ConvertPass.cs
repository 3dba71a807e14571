using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Mobile variants: ORT format, plus the operator list a reduced ONNX Runtime build needs to run it, and how much of
/// the model NNAPI and Core ML take (for the report). ORT format cannot
/// hold external data, so large models never get here (the plan pass refuses them with MB5003).
/// </summary>
internal sealed class ConvertPass : IModelPass
{
    public string Name => "convert";

    public bool RunsForSignatureOnly => false;

    public void Run(CompilationContext context)
    {
        foreach (CompiledVariant variant in context.Variants.Where(v => !v.FromCache && v.Plan.OrtFormat))
        {
            variant.Timed(() =>
            {
                byte[] model = File.ReadAllBytes(variant.OnnxPath);
                variant.OnnxBeforeConversion = model;
                ModelProto parsed = ModelProto.Parser.ParseFrom(model);
                variant.RequiredOperators = OrtFormatConverter.RequiredOperatorsConfig(parsed);
                variant.ProviderSupport = MobileProviderSupport.Analyze(parsed);
                variant.WriteFile(variant.FileName, OrtFormatConverter.ToOrtFormat(model, context.ModelDirectory));
            });
        }
    }
}
