namespace ModelBuild.Compiler.Tflite;

/// <summary>Codes of TensorFlow Lite reading and conversion errors (docs/diagnostics.md, docs/formats.md).</summary>
internal static class TfliteErrorCodes
{
    /// <summary>Not a valid TFLite flatbuffer: truncated, an offset or length outside the file, a bad identifier.</summary>
    public const string Malformed = "MB1110";

    /// <summary>Over a reader limit (file over 2 GiB, weights stored outside the flatbuffer, subgraphs nested too deep).</summary>
    public const string LimitExceeded = "MB1111";

    /// <summary>An operator (or an operator option) the converter does not support.</summary>
    public const string UnsupportedOperator = "MB1112";

    /// <summary>A tensor type or layout the converter does not support (string, complex, int4, sparse).</summary>
    public const string UnsupportedTensor = "MB1113";

    /// <summary>The flatbuffer is well formed but the model is not: an index out of range, a missing input, weights of the wrong size.</summary>
    public const string InvalidModel = "MB1114";
}
