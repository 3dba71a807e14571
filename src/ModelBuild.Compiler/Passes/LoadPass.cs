using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Tflite;
using ModelBuild.Shared;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Reads the model with the safe reader (limits, clear errors) and checks its external data references. Other
/// formats are told apart by content and extension first: one that ModelBuild cannot read fails with the command
/// that exports it to ONNX.
/// </summary>
internal sealed class LoadPass : IModelPass
{
    public string Name => "load";

    public bool RunsForSignatureOnly => true;

    public void Run(CompilationContext context)
    {
        string path = context.Job.Model;
        ModelFormat format = ModelFormatDetector.Detect(path);
        if (ExportAdvice.For(format, path) is { } advice)
        {
            throw context.Fail(advice.Code, advice.Message);
        }
        if (format == ModelFormat.Tflite)
        {
            // Converted once here; every later pass sees an ONNX model, and ONNX Runtime reads the converted file.
            context.Model = TfliteReader.ReadFile(path);
            Directory.CreateDirectory(context.WorkDirectory);
            context.OnnxSource = Path.Combine(context.WorkDirectory, Path.GetFileNameWithoutExtension(path) + ".converted.onnx");
            File.WriteAllBytes(context.OnnxSource, OnnxModelWriter.Serialize(context.Model));
            return;
        }
        context.Model = OnnxModelReader.ReadFile(path);
        context.ExternalData = OnnxExternalData.Enumerate(context.Model, context.ModelDirectory);
    }
}
