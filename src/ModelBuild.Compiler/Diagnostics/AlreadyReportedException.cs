namespace ModelBuild.Compiler.Diagnostics;

/// <summary>Stops a model's compilation after its errors were reported one by one (e.g. every failing output).</summary>
internal sealed class AlreadyReportedException() : Exception("The errors were reported.");
