using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Diagnostics;

/// <summary>A pass found a problem with the model: stops this model's compilation with a coded error.</summary>
internal sealed class CompilationException(string code, string filePath, string message) : ModelBuildException(code, message, filePath);
