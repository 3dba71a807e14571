namespace ModelBuild.Onnx;

/// <summary>The MB1xxx codes raised by this library (causes and fixes: docs/diagnostics.md).</summary>
public static class OnnxErrorCodes
{
    // Reading the model file.
    public const string FileNotFound = "MB1001";
    public const string EmptyFile = "MB1002";
    public const string NotProtobuf = "MB1003";
    public const string NotAnOnnxModel = "MB1004";
    public const string LimitExceeded = "MB1005";
    public const string ReadFailed = "MB1006";
    public const string WriteFailed = "MB1007";
    public const string ModelFileNotRegular = "MB1030";

    // External data (tensor bytes kept in side files next to the model).
    public const string ExternalLocationMissing = "MB1010";
    public const string ExternalLocationRooted = "MB1011";
    public const string ExternalLocationOutsideModelFolder = "MB1012";
    public const string ExternalLocationSymlink = "MB1013";
    public const string ExternalFileNotFound = "MB1014";
    public const string ExternalFileNotRegular = "MB1015";
    public const string ExternalFileHardLinked = "MB1016";
    public const string ExternalRangeInvalid = "MB1017";
    public const string ExternalRangeOutsideFile = "MB1018";
    public const string ExternalReadFailed = "MB1019";
}
