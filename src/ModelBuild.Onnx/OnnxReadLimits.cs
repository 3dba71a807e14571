namespace ModelBuild.Onnx;

/// <summary>Limits applied while parsing an untrusted ONNX file (checked on the wire format, before anything is allocated).</summary>
public sealed record OnnxReadLimits
{
    /// <summary>
    /// Largest accepted file, in bytes. Default 2 GiB - 1: protobuf cannot represent a bigger
    /// message, so bigger weights must live in external data files.
    /// </summary>
    public long MaxFileBytes { get; init; } = int.MaxValue;

    /// <summary>Deepest accepted message nesting (subgraphs nest 3 levels per graph). Default 100.</summary>
    public int RecursionLimit { get; init; } = 100;

    /// <summary>
    /// Most nodes in all graphs together. Default 500,000: large real models have tens of thousands, and ONNX Runtime
    /// needs gigabytes and minutes for a million.
    /// </summary>
    public int MaxNodes { get; init; } = 500_000;

    /// <summary>Longest text field (names, doc strings), in bytes. Default 64 MiB (a .NET string takes twice that).</summary>
    public int MaxStringBytes { get; init; } = 64 << 20;

    /// <summary>
    /// The parsed model may take at most this many times the file's size, plus <see cref="MemoryAllowanceBytes"/>
    /// (estimated from the wire format before parsing: per message, per string, per packed element). Default 4.
    /// </summary>
    public int MemoryFactor { get; init; } = 4;

    /// <summary>The constant part of the memory bound. Default 64 MiB.</summary>
    public long MemoryAllowanceBytes { get; init; } = 64 << 20;

    public static OnnxReadLimits Default { get; } = new();
}
