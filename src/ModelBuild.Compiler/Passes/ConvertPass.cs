using ModelBuild.Compiler.Ort;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Passes;

/// <summary>Mobile variants: ORT format, plus the operator list a reduced ONNX Runtime build needs to run it.</summary>
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
                variant.RequiredOperators = OrtFormatConverter.RequiredOperatorsConfig(ModelProto.Parser.ParseFrom(variant.Bytes));
                variant.Bytes = OrtFormatConverter.ToOrtFormat(variant.Bytes, context.ModelDirectory);
            });
        }
    }
}
