namespace ModelBuild.Compiler.Pipeline;

/// <summary>
/// Gives the managed heap's garbage back to the system before ONNX Runtime allocates natively (a session over a
/// model): the GC does not see those allocations, so the passes' model-sized garbage (file bytes, decoded weights,
/// serialized variants) would otherwise stay committed beside the session and set the compile's peak memory.
/// </summary>
internal static class ManagedMemory
{
    /// <summary>A blocking, compacting collection that also decommits the freed memory (tens of milliseconds).</summary>
    public static void Release() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
}
