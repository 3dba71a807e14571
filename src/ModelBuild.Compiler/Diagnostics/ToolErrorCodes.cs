namespace ModelBuild.Compiler.Diagnostics;

/// <summary>Codes of <see cref="ModelToolException"/> (MB5xxx: compilation passes); listed in docs/verification.md.</summary>
internal static class ToolErrorCodes
{
    /// <summary>ONNX Runtime could not load or optimize the model.</summary>
    public const string OptimizeFailed = "MB5501";

    /// <summary>ONNX Runtime could not convert the model to ORT format.</summary>
    public const string OrtFormatFailed = "MB5502";

    /// <summary>An operator type or domain cannot be written to a reduced-build config (separator or space in it).</summary>
    public const string OperatorNameInvalid = "MB5503";

    /// <summary>An input is not a tensor (sequence, map, optional, sparse) or has an element type samples cannot be made for.</summary>
    public const string InputTypeUnsupported = "MB5601";

    /// <summary>A sample input file or folder is unusable: unreadable, wrong layout, type or shape mismatch, missing input.</summary>
    public const string SampleInvalid = "MB5602";

    /// <summary>ONNX Runtime could not load or run the original model or a variant during verification.</summary>
    public const string VerificationRunFailed = "MB5603";

    /// <summary>A variant lacks an output or an input of the original model.</summary>
    public const string VariantSignatureMismatch = "MB5604";

    /// <summary>Warning: no generated input runs the original model, so a lossless variant ships unverified.</summary>
    public const string Unverifiable = "MB5610";

    /// <summary>A SampleShapes entry is malformed or does not fit the model's declared input shape.</summary>
    public const string SampleShapeInvalid = "MB5611";
}
