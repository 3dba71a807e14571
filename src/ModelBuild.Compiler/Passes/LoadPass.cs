using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Tflite;
using ModelBuild.Shared;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Reads the model with the safe reader (limits, clear errors, one open) and checks its external data references. The
/// model file is not opened again: later passes use the hash of the bytes read here. Other formats are told apart by
/// content and extension first: one that ModelBuild cannot read fails with the command that exports it to ONNX.
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
            context.Model = TfliteReader.ReadFile(path, out string tfliteSha256);
            context.ModelSha256 = tfliteSha256;
            Directory.CreateDirectory(context.WorkDirectory);
            context.OnnxSource = Path.Combine(context.WorkDirectory, Path.GetFileNameWithoutExtension(path) + ".converted.onnx");
            File.WriteAllBytes(context.OnnxSource, OnnxModelWriter.Serialize(context.Model));
            return;
        }
        context.Model = OnnxModelReader.ReadFile(path, out string sha256);
        context.ModelSha256 = sha256;
        context.ExternalData = OnnxExternalData.Enumerate(context.Model, context.ModelDirectory, path);
    }
}
