using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Diagnostics;

/// <summary>
/// A failure of an ONNX Runtime tool or of verification (namespaces <c>Ort</c>, <c>Verification</c>). These
/// helpers do not know which job they serve, so they carry only a code and a one-line message; a pass turns one
/// into a <see cref="CompilationException"/> with <c>context.Fail(e.Code, e.Message)</c>.
/// </summary>
internal sealed class ModelToolException(string code, string message, Exception? inner = null) : ModelBuildException(code, message, null, inner);
