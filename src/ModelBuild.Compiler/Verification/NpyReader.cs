using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// Reads a NumPy <c>.npy</c> array (format versions 1–3, what <c>numpy.save</c>/<c>savez</c> write) into a TensorProto
/// with raw little-endian data, so sample files from NumPy or PyTorch go through the same checks as <c>.pb</c> ones.
/// C order only; numeric and bool dtypes only.
/// </summary>
internal static partial class NpyReader
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly Dictionary<string, (DataType Type, int Size)> Types = new(StringComparer.Ordinal)
    {
        ["f4"] = (DataType.Float, 4), ["f8"] = (DataType.Double, 8), ["f2"] = (DataType.Float16, 2),
        ["i1"] = (DataType.Int8, 1), ["u1"] = (DataType.Uint8, 1), ["i2"] = (DataType.Int16, 2), ["u2"] = (DataType.Uint16, 2),
        ["i4"] = (DataType.Int32, 4), ["u4"] = (DataType.Uint32, 4), ["i8"] = (DataType.Int64, 8), ["u8"] = (DataType.Uint64, 8),
        ["b1"] = (DataType.Bool, 1),
    };

    /// <summary>The array in <paramref name="bytes"/> as a tensor named <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">Not an .npy array, truncated, or of a layout or dtype ONNX has no tensor for.</exception>
    public static TensorProto Read(byte[] bytes, string name)
    {
        if (bytes.Length < 10 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("it does not start with the .npy magic bytes (\\x93NUMPY)");
        }
        int major = bytes[6];
        int headerStart = major == 1 ? 10 : 12;
        if (major is < 1 or > 3 || bytes.Length < headerStart)
        {
            throw new InvalidDataException($"its .npy format version {major}.{bytes[7]} is not 1, 2 or 3");
        }
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (headerStart + headerLength > bytes.Length)
        {
            throw new InvalidDataException("it is truncated inside its header");
        }
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes, headerStart, (int)headerLength);

        string descr = Field(DescrPattern(), header, "descr");
        if (Field(FortranPattern(), header, "fortran_order") == "True")
        {
            throw new InvalidDataException("it is in Fortran (column-major) order; save it in C order (numpy.ascontiguousarray)");
        }
        string shapeText = Field(ShapePattern(), header, "shape");
        long[] shape = [.. shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out long v) ? v
                : throw new InvalidDataException($"its shape ({shapeText}) is not a tuple of whole numbers"))];

        char order = descr.Length == 3 ? descr[0] : '?';
        if (descr.Length != 3 || order is not ('<' or '|' or '=') || !Types.TryGetValue(descr[1..], out var type))
        {
            throw new InvalidDataException($"its dtype '{descr}' is not a little-endian number or bool type ONNX has a tensor for");
        }

        long count = shape.Aggregate(1L, (a, d) => checked(a * d));
        long dataStart = headerStart + headerLength;
        long expected = checked(count * type.Size);
        if (bytes.Length - dataStart != expected)
        {
            throw new InvalidDataException(bytes.Length - dataStart < expected
                ? $"it is truncated: shape ({shapeText}) of {descr} needs {expected} data bytes, the file has {bytes.Length - dataStart}"
                : $"it has {bytes.Length - dataStart - expected} bytes after the data its shape ({shapeText}) holds");
        }
        var tensor = new TensorProto { Name = name, DataType = (int)type.Type, RawData = ByteString.CopyFrom(bytes, (int)dataStart, (int)expected) };
        tensor.Dims.AddRange(shape);
        return tensor;
    }

    private static string Field(Regex pattern, string header, string key) =>
        pattern.Match(header) is { Success: true } match ? match.Groups[1].Value
            : throw new InvalidDataException($"its header has no readable '{key}' entry");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
