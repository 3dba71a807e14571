namespace ModelBuild.Onnx;

/// <summary>Limits applied while parsing an untrusted ONNX file.</summary>
public sealed record OnnxReadLimits
{
    /// <summary>
    /// Largest accepted file, in bytes. Default 2 GiB - 1: protobuf cannot represent a bigger
    /// message, so bigger weights must live in external data files.
    /// </summary>
    public long MaxFileBytes { get; init; } = int.MaxValue;

    /// <summary>Deepest accepted message nesting (subgraphs nest 3 levels per graph). Default 100.</summary>
    public int RecursionLimit { get; init; } = 100;

    public static OnnxReadLimits Default { get; } = new();
}
