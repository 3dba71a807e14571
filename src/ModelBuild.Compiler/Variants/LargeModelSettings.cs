namespace ModelBuild.Compiler.Variants;

/// <summary>
/// When a model takes the large path: its variants keep weights in a <c>.data</c> file beside the asset, and no pass
/// holds the whole model in memory (protobuf cannot serialize a message over 2 GB). Internal: tests lower the limit to
/// exercise that path on small models.
/// </summary>
/// <param name="ExternalDataLimit">A model whose external data exceeds this many bytes is large.</param>
/// <param name="MinExternalTensorBytes">In a large model's variants, initializers of at least this size go to the data file.</param>
internal sealed record LargeModelSettings(long ExternalDataLimit, long MinExternalTensorBytes)
{
    /// <summary>1 GiB: well under protobuf's 2 GB, so small models keep their one self-contained file.</summary>
    public static LargeModelSettings Default { get; } = new(1L << 30, 1024);
}
