using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Reports;
using ModelBuild.Compiler.Variants;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// The mobile variant's static shapes, before anything else touches it: MobileShapes fixes the named inputs (checked
/// against the model, MB5660), and inputs left with open dimensions get warning MB5661, since NNAPI and Core ML take only
/// nodes with static shapes. The other variants keep the model's shapes; the signature stays the original's.
/// </summary>
internal sealed class MobileShapesPass : IModelPass
{
    public string Name => "mobile shapes";

    public bool RunsForSignatureOnly => false;

    public void Run(CompilationContext context)
    {
        if (context.Variants.FirstOrDefault(v => v.Plan.Target == Target.Mobile) is not { } mobile)
        {
            return;
        }
        IReadOnlyDictionary<string, long[]> given = context.Settings.MobileShapes;
        IReadOnlyList<ValueInfoProto> dynamic = MobileInputShapes.Dynamic(context.Model, given);
        if (dynamic.Count > 0)
        {
            context.Reporter.Warning("MB5661", context.Job.Model, DynamicWarning(context, dynamic));
        }
        mobile.MobileShapes = new MobileShapesReport(given, [.. dynamic.Select(i => i.Name)]);
        if (given.Count > 0 && !mobile.FromCache)
        {
            mobile.Timed(() =>
            {
                ModelProto model = context.ModelWithData();
                MobileInputShapes.Apply(model, given);
                mobile.WriteFile(mobile.OnnxFileName, OnnxModelWriter.Serialize(model));
            });
        }
    }

    /// <summary>Names the inputs and suggests MobileShapes with the shapes verification would generate for them.</summary>
    private static string DynamicWarning(CompilationContext context, IReadOnlyList<ValueInfoProto> dynamic)
    {
        var shapes = new SampleShapes(SampleShapeOptions.Default with { Inputs = context.Settings.SampleShapes });
        shapes.BindGiven(SampleInputGenerator.FeedableInputs(context.Model.Graph));
        string example = string.Join(";", dynamic.Select(i => $"{i.Name}={string.Join(",", shapes.Resolve(i.Name, i.Type.TensorType))}"));
        return $"Target mobile: input(s) {string.Join(", ", dynamic.Select(i => ModelText.Quote(i.Name)))} have dynamic dimensions, so NNAPI and " +
            "Core ML will run only the nodes whose shapes are static (ONNX Runtime runs the rest on the CPU). Fix the shape the app " +
            $"runs with MobileShapes, e.g. MobileShapes=\"{ModelText.Quote(example)[1..^1]}\"; the other variants keep the dynamic shapes.";
    }
}
