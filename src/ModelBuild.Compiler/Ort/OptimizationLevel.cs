namespace ModelBuild.Compiler.Ort;

/// <summary>
/// ONNX Runtime graph optimization levels that are safe to bake into a shipped model. ORT's LAYOUT and ALL
/// levels are deliberately absent: they insert hardware-specific nodes (NCHWc) that ORT says are only valid on
/// the machine that made them.
/// </summary>
internal enum OptimizationLevel
{
    /// <summary>No graph optimization (ORT_DISABLE_ALL).</summary>
    None,

    /// <summary>Semantics-preserving rewrites: constant folding, redundant node removal (ORT_ENABLE_BASIC).</summary>
    Basic,

    /// <summary>Basic plus fusions into com.microsoft operators (ORT_ENABLE_EXTENDED).</summary>
    Extended,
}
