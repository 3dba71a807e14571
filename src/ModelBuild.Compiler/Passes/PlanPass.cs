using ModelBuild.Compiler.Caching;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Reports;
using ModelBuild.Compiler.Variants;

namespace ModelBuild.Compiler.Passes;

/// <summary>Decides the variants (one per target) and takes the ones the compile cache already holds.</summary>
internal sealed class PlanPass : IModelPass
{
    public string Name => "plan";

    public bool RunsForSignatureOnly => true;

    public void Run(CompilationContext context)
    {
        string modelFileName = Path.GetFileName(context.Job.Model);
        context.Variants = VariantPlanner.Plan(context.Settings)
            .Select(plan => new CompiledVariant(plan, plan.FileName(modelFileName), Path.Combine(context.WorkDirectory, plan.Target.Name())))
            .ToList();
        context.OriginalSize = new FileInfo(context.Job.Model).Length
            + context.ExternalData.DistinctBy(d => d.FullPath).Sum(d => new FileInfo(d.FullPath).Length);
        if (context.SignatureOnly)
        {
            return;
        }
        if (context.IsLarge && context.Variants.FirstOrDefault(v => v.Plan.OrtFormat) is { } ort)
        {
            throw context.Fail("MB5003",
                $"Target {ort.Plan.Target.Name()} ships ORT format, which cannot hold external data, and this model's external data " +
                $"({ReportLine.Size(context.ExternalData.Sum(d => d.Length))}) is too large to inline. Drop {ort.Plan.Target.Name()} from Targets for this model.");
        }
        foreach (CompiledVariant variant in context.Variants)
        {
            if (variant.Plan.Substitution is { } why)
            {
                context.Reporter.Warning("MB5001", context.Job.Model, $"Target {variant.Plan.Target.Name()}: {why}");
            }
        }
        if (context.CacheDirectory is { } directory)
        {
            var cache = new CompileCache(directory, context.Reporter);
            foreach (CompiledVariant variant in context.Variants)
            {
                cache.TryLoad(context, variant);
            }
        }
    }
}
