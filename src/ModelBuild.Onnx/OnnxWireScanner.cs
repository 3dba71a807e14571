using System.Globalization;
using Google.Protobuf.Reflection;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Onnx;

/// <summary>
/// Walks a model's protobuf wire format, guided by onnx.proto's descriptors, without building any object: every length
/// prefix must fit in the bytes that are left (a 2^40 prefix is not silently cut to 32 bits), nesting stays under the
/// recursion limit, nodes and text fields under their limits, and the memory the parsed model would take is estimated
/// so that a small file cannot expand into gigabytes (10 million empty nodes are 20 MB on disk, gigabytes as objects).
/// </summary>
internal sealed class OnnxWireScanner
{
    // Rough sizes of what Google.Protobuf allocates, generous on purpose (an estimate, not a measurement).
    private const long MessageBytes = 256;          // object with its RepeatedField members, plus its slot in the parent's list
    private const long StringOverheadBytes = 32;    // string object header
    private const long PackedVarintBytes = 8;       // each element of a packed int32/int64 becomes a long in a RepeatedField

    private readonly OnnxReadLimits _limits;
    private readonly string _path;
    private long _nodes;
    private long _estimate;

    private OnnxWireScanner(OnnxReadLimits limits, string path)
    {
        _limits = limits;
        _path = path;
    }

    /// <summary>Throws <see cref="ModelBuildException"/> (MB1003 malformed, MB1005 over a limit) for a file that must not be parsed.</summary>
    public static void Check(ReadOnlySpan<byte> data, OnnxReadLimits limits, string path)
    {
        var scanner = new OnnxWireScanner(limits, path);
        scanner.Scan(data, 0, ModelProto.Descriptor, depth: 0);
        long bound = checked(limits.MemoryFactor * (long)data.Length + limits.MemoryAllowanceBytes);
        if (scanner._estimate > bound)
        {
            throw new ModelBuildException(OnnxErrorCodes.LimitExceeded,
                $"ONNX model file '{path}' would take about {scanner._estimate >> 20} MiB of memory once parsed, more than {limits.MemoryFactor} times its " +
                $"size of {data.Length} bytes plus {limits.MemoryAllowanceBytes >> 20} MiB (it packs many small messages or values into few bytes). " +
                "Re-export the model; raise OnnxReadLimits.MemoryFactor if the model is trusted.",
                path);
        }
    }

    private void Scan(ReadOnlySpan<byte> data, int start, MessageDescriptor descriptor, int depth)
    {
        if (depth > _limits.RecursionLimit)
        {
            throw new ModelBuildException(OnnxErrorCodes.LimitExceeded,
                $"ONNX model file '{_path}' nests messages (subgraphs) deeper than the limit of {_limits.RecursionLimit} levels. " +
                "Flatten the nested control flow, or raise OnnxReadLimits.RecursionLimit if the model is trusted.",
                _path);
        }
        int position = 0;
        while (position < data.Length)
        {
            int tagAt = position;
            ulong tag = ReadVarint(data, ref position, start);
            int number = (int)Math.Min(tag >> 3, int.MaxValue);
            int wireType = (int)(tag & 7);
            if (number == 0)
            {
                throw Malformed(start + tagAt, "field number 0");
            }
            FieldDescriptor? field = descriptor.FindFieldByNumber(number);
            switch (wireType)
            {
                case 0:
                    ReadVarint(data, ref position, start);
                    if (field is { IsRepeated: true }) _estimate += PackedVarintBytes;
                    break;
                case 1:
                    Skip(data, ref position, 8, start);
                    break;
                case 5:
                    Skip(data, ref position, 4, start);
                    break;
                case 2:
                {
                    int lengthAt = position;
                    ulong length = ReadVarint(data, ref position, start);
                    int remaining = data.Length - position;
                    if (length > (ulong)remaining)
                    {
                        throw Malformed(start + lengthAt,
                            $"a length prefix of {length.ToString(CultureInfo.InvariantCulture)} bytes where only {remaining} bytes are left");
                    }
                    ReadOnlySpan<byte> payload = data.Slice(position, (int)length);
                    LengthDelimited(field, payload, start + position, depth);
                    position += (int)length;
                    break;
                }
                default:
                    // Start/end group (3, 4): ONNX uses no groups, and the generated parser stops early at one.
                    throw Malformed(start + tagAt, wireType is 3 or 4
                        ? $"a {(wireType == 3 ? "start" : "end")}-group tag, which ONNX does not use"
                        : $"wire type {wireType}, which protobuf does not define");
            }
        }
    }

    private void LengthDelimited(FieldDescriptor? field, ReadOnlySpan<byte> payload, int start, int depth)
    {
        switch (field?.FieldType)
        {
            case FieldType.Message:
                _estimate += MessageBytes;
                if (field.MessageType == NodeProto.Descriptor && ++_nodes > _limits.MaxNodes)
                {
                    throw new ModelBuildException(OnnxErrorCodes.LimitExceeded,
                        $"ONNX model file '{_path}' has more than {_limits.MaxNodes} nodes, the reader's limit. " +
                        "Raise OnnxReadLimits.MaxNodes if the model is trusted and the build machine has the memory.",
                        _path);
                }
                Scan(payload, start, field.MessageType, depth + 1);
                break;
            case FieldType.String:
                if (payload.Length > _limits.MaxStringBytes)
                {
                    throw new ModelBuildException(OnnxErrorCodes.LimitExceeded,
                        $"ONNX model file '{_path}' has a text field ({field.FullName}) of {payload.Length} bytes, over the limit of {_limits.MaxStringBytes} bytes. " +
                        "Names and doc strings are never that long in a real model; re-export it.",
                        _path);
                }
                _estimate += StringOverheadBytes + 2L * payload.Length;
                break;
            case FieldType.Int32 or FieldType.Int64 or FieldType.UInt64 or FieldType.Enum:
                // Packed repeated varints: as many elements as bytes without the continuation bit.
                long count = 0;
                foreach (byte b in payload) if (b < 0x80) count++;
                _estimate += PackedVarintBytes * count;
                break;
            default:
                // bytes, packed fixed-size numbers, unknown fields: about their own size.
                _estimate += StringOverheadBytes + payload.Length;
                break;
        }
    }

    private ulong ReadVarint(ReadOnlySpan<byte> data, ref int position, int start)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
            {
                throw Malformed(start + position, "a number cut off by the end of its message");
            }
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw Malformed(start + position, "a number longer than 10 bytes");
    }

    private void Skip(ReadOnlySpan<byte> data, ref int position, int count, int start)
    {
        if (data.Length - position < count)
        {
            throw Malformed(start + position, "a fixed-size number cut off by the end of its message");
        }
        position += count;
    }

    private ModelBuildException Malformed(long offset, string problem) =>
        new(OnnxErrorCodes.NotProtobuf,
            $"File '{_path}' cannot be parsed as an ONNX model (protobuf): {problem} at byte {offset.ToString(CultureInfo.InvariantCulture)}. " +
            "The file is truncated, corrupt or not an ONNX file; re-export or re-download it.",
            _path);
}
