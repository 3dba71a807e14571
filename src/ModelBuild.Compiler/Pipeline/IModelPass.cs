namespace ModelBuild.Compiler.Pipeline;

/// <summary>One step of the pipeline (load → validate → optimize → quantize → convert → verify → emit).</summary>
internal interface IModelPass
{
    string Name { get; }

    /// <summary>Passes that only matter for shipped assets are skipped in design-time builds.</summary>
    bool RunsForSignatureOnly { get; }

    /// <summary>Transforms the context; throws <see cref="Diagnostics.CompilationException"/> on a model problem.</summary>
    void Run(CompilationContext context);
}
