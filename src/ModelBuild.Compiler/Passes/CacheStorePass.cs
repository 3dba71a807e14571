using ModelBuild.Compiler.Caching;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;

namespace ModelBuild.Compiler.Passes;

/// <summary>Stores each newly compiled and verified variant in the compile cache.</summary>
internal sealed class CacheStorePass : IModelPass
{
    public string Name => "cache";

    public bool RunsForSignatureOnly => false;

    public void Run(CompilationContext context)
    {
        if (context.CacheDirectory is not { } directory)
        {
            return;
        }
        var cache = new CompileCache(directory, context.Reporter);
        foreach (CompiledVariant variant in context.Variants.Where(v => !v.FromCache))
        {
            cache.Store(context, variant, variant.Report!);
        }
    }
}
