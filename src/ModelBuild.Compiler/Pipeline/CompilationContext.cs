using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Pipeline;

/// <summary>State handed from pass to pass while one model compiles.</summary>
internal sealed class CompilationContext(CompileJob job, Reporter reporter, bool signatureOnly)
{
    public CompileJob Job { get; } = job;
    public Reporter Reporter { get; } = reporter;

    /// <summary>Design-time builds: produce the signature, skip assets and heavy passes.</summary>
    public bool SignatureOnly { get; } = signatureOnly;

    public string ModelDirectory => Path.GetDirectoryName(Job.Model)!;

    /// <summary>Set by the load pass.</summary>
    public ModelProto Model { get; set; } = null!;

    /// <summary>Tensors stored beside the model, checked by the load pass.</summary>
    public IReadOnlyList<ExternalDataReference> ExternalData { get; set; } = [];

    public CompilationException Fail(string code, string message) => new(code, Job.Model, message);
}
