using System.Buffers.Binary;
using System.Text;
using ModelBuild.Compiler.Diagnostics;

namespace ModelBuild.Compiler.Ort;

/// <summary>
/// Makes ORT-format files reproducible. ONNX Runtime 1.31 serializes the InferenceSession's
/// <c>kernel_type_str_resolver</c> from a hash map whose iteration order changes from process to process (and
/// between sessions of one process): the same model gave different bytes each time, while the model subtree was
/// identical. This rewrites the front of the flatbuffer (root table and resolver) in a canonical form, entries
/// sorted by their key fields, and keeps the model subtree byte for byte.
/// </summary>
/// <remarks>
/// Layout relied on (ort.fbs; flatbuffers builds back to front): <c>[root offset]["ORTM"][root table, resolver
/// subtree][model subtree][version string]</c>. The model subtree is written before the resolver, so nothing in it
/// points to lower addresses; copying it unchanged, at the same position modulo 8, keeps it valid. Anything else
/// (a deprecated session_state, a layout ORT may change) is refused instead of guessed.
/// </remarks>
internal static class OrtFormatCanonicalizer
{
    private const int RootFieldVersion = 0, RootFieldModel = 1, RootFieldSessionState = 2, RootFieldResolver = 3;

    private sealed record ArgEntry(sbyte ArgType, uint Index);
    private sealed record KernelTypeStrEntry(byte[] Name, List<ArgEntry> Args);
    private sealed record OpEntry(byte[] OpId, List<KernelTypeStrEntry> KernelTypeStrArgs);

    public static byte[] Canonicalize(byte[] ort)
    {
        try
        {
            return Rewrite(ort);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or InvalidDataException or OverflowException)
        {
            throw new ModelToolException(ToolErrorCodes.OrtFormatFailed,
                $"ONNX Runtime wrote an ORT-format file of a layout ModelBuild does not know, so it cannot be made reproducible: {e.Message}", e);
        }
    }

    private static byte[] Rewrite(byte[] b)
    {
        if (b.Length < 8 || Encoding.ASCII.GetString(b, 4, 4) != "ORTM")
        {
            throw new InvalidDataException("no ORTM file identifier");
        }

        int root = Deref(b, 0);
        if (FieldPosition(b, root, RootFieldSessionState) != 0 || FieldCount(b, root) > RootFieldResolver + 1)
        {
            throw new InvalidDataException("the root table has fields beyond version, model and resolver");
        }

        int model = Reference(b, root, RootFieldModel) ?? throw new InvalidDataException("no model");
        int modelVtable = Vtable(b, model);
        int tailStart = Math.Min(model, modelVtable);
        byte[] version = Reference(b, root, RootFieldVersion) is int v ? ReadString(b, v) : [];
        List<OpEntry> resolver = Reference(b, root, RootFieldResolver) is int r ? ReadResolver(b, r, tailStart) : [];

        var head = new HeadWriter();
        head.U32(0);                                   // root offset, patched below
        head.Bytes("ORTM"u8);
        int rootTable = head.Table([4, 8, 0, 12], 16); // version, model, (session_state), resolver
        head.PatchOffset(0, rootTable);

        int resolverTable = resolver.Count > 0 ? head.Table([4], 8) : 0;
        if (resolverTable != 0)
        {
            int vector = head.OffsetVector(resolver.Count);
            head.PatchOffset(resolverTable + 4, vector);
            for (int i = 0; i < resolver.Count; i++)
            {
                OpEntry op = resolver[i];
                int entry = head.Table([4, 8], 12);
                head.PatchOffset(vector + 4 + 4 * i, entry);
                head.PatchOffset(entry + 4, head.String(op.OpId));
                int inner = head.OffsetVector(op.KernelTypeStrArgs.Count);
                head.PatchOffset(entry + 8, inner);
                for (int j = 0; j < op.KernelTypeStrArgs.Count; j++)
                {
                    KernelTypeStrEntry kts = op.KernelTypeStrArgs[j];
                    int ktsTable = head.Table([4, 8], 12);
                    head.PatchOffset(inner + 4 + 4 * j, ktsTable);
                    head.PatchOffset(ktsTable + 4, head.String(kts.Name));
                    int args = head.OffsetVector(kts.Args.Count);
                    head.PatchOffset(ktsTable + 8, args);
                    for (int k = 0; k < kts.Args.Count; k++)
                    {
                        int arg = head.Table([4, 8], 12);   // arg_type int8 at +4, index uint32 at +8
                        head.PatchOffset(args + 4 + 4 * k, arg);
                        head.PatchByte(arg + 4, (byte)kts.Args[k].ArgType);
                        head.PatchU32(arg + 8, kts.Args[k].Index);
                    }
                }
            }
        }

        int versionPos = head.String(version);
        head.AlignTo(8, tailStart % 8);                // the tail keeps its position modulo 8 (its alignment)
        int delta = head.Length - tailStart;
        head.PatchOffset(rootTable + 4, versionPos);
        head.PatchOffset(rootTable + 8, model + delta);
        if (resolverTable != 0)
        {
            head.PatchOffset(rootTable + 12, resolverTable);
        }
        else
        {
            head.PatchU16(rootTable - 12 + 10, 0);     // no resolver: clear its vtable entry
        }

        var result = new byte[head.Length + (b.Length - tailStart)];
        head.CopyTo(result);
        b.AsSpan(tailStart).CopyTo(result.AsSpan(head.Length));
        return result;
    }

    private static List<OpEntry> ReadResolver(byte[] b, int table, int tailStart)
    {
        var ops = new List<OpEntry>();
        foreach (int entry in Vector(b, Reference(b, table, 0)))
        {
            if (entry >= tailStart) throw new InvalidDataException("resolver entry inside the model subtree");
            var kernelTypeStrs = new List<KernelTypeStrEntry>();
            foreach (int kts in Vector(b, Reference(b, entry, 1)))
            {
                var args = new List<ArgEntry>();
                foreach (int arg in Vector(b, Reference(b, kts, 1)))
                {
                    int typePos = FieldPosition(b, arg, 0), indexPos = FieldPosition(b, arg, 1);
                    args.Add(new ArgEntry(typePos == 0 ? (sbyte)0 : (sbyte)b[typePos],
                        indexPos == 0 ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(indexPos))));
                }
                kernelTypeStrs.Add(new KernelTypeStrEntry(ReadString(b, Reference(b, kts, 0)), args));
            }
            kernelTypeStrs.Sort((x, y) => x.Name.AsSpan().SequenceCompareTo(y.Name));
            ops.Add(new OpEntry(ReadString(b, Reference(b, entry, 0)), kernelTypeStrs));
        }

        // flatbuffers compares (key) strings bytewise; the order of args inside an entry is meaningful and kept.
        ops.Sort((x, y) => x.OpId.AsSpan().SequenceCompareTo(y.OpId));
        return ops;
    }

    private static int Deref(byte[] b, int position) => checked(position + (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(position, 4)));

    private static int Vtable(byte[] b, int table) => checked(table - BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(table, 4)));

    private static int FieldCount(byte[] b, int table) => (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(Vtable(b, table), 2)) - 4) / 2;

    /// <summary>Absolute position of a field, 0 when absent.</summary>
    private static int FieldPosition(byte[] b, int table, int field)
    {
        if (field >= FieldCount(b, table)) return 0;
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(Vtable(b, table) + 4 + 2 * field, 2));
        return offset == 0 ? 0 : table + offset;
    }

    private static int? Reference(byte[] b, int table, int field)
    {
        int position = FieldPosition(b, table, field);
        return position == 0 ? null : Deref(b, position);
    }

    private static IEnumerable<int> Vector(byte[] b, int? vector)
    {
        if (vector is not int v) yield break;
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(v, 4));
        for (int i = 0; i < count; i++)
        {
            yield return Deref(b, checked(v + 4 + 4 * i));
        }
    }

    private static byte[] ReadString(byte[] b, int? position)
    {
        if (position is not int p) return [];
        int length = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p, 4)));
        return b.AsSpan(p + 4, length).ToArray();
    }

    /// <summary>Writes flatbuffer objects front to back (parents first: uoffsets point forward), patching offsets later.</summary>
    private sealed class HeadWriter
    {
        private readonly List<byte> _bytes = [];

        public int Length => _bytes.Count;

        public void CopyTo(byte[] target) => _bytes.CopyTo(target);

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            foreach (byte x in bytes) _bytes.Add(x);
        }

        public void U32(uint value)
        {
            Span<byte> span = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
            Bytes(span);
        }

        public void AlignTo(int alignment, int remainder = 0)
        {
            while (_bytes.Count % alignment != remainder) _bytes.Add(0);
        }

        /// <summary>A vtable with these field offsets, then a zeroed table of <paramref name="tableSize"/> bytes; returns the table's position.</summary>
        public int Table(int[] fieldOffsets, int tableSize)
        {
            AlignTo(4);
            int vtable = Length;
            int vtableSize = 4 + 2 * fieldOffsets.Length;
            Span<byte> span = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)vtableSize); Bytes(span);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)tableSize); Bytes(span);
            foreach (int offset in fieldOffsets)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)offset); Bytes(span);
            }
            AlignTo(4);
            int table = Length;
            U32((uint)(table - vtable));            // soffset: vtable = table - soffset
            for (int i = 4; i < tableSize; i++) _bytes.Add(0);
            return table;
        }

        public int OffsetVector(int count)
        {
            AlignTo(4);
            int vector = Length;
            U32((uint)count);
            for (int i = 0; i < count; i++) U32(0);
            return vector;
        }

        public int String(byte[] value)
        {
            AlignTo(4);
            int position = Length;
            U32((uint)value.Length);
            Bytes(value);
            _bytes.Add(0);
            return position;
        }

        public void PatchOffset(int position, int target)
        {
            if (target <= position) throw new InvalidDataException("backward offset");
            PatchU32(position, (uint)(target - position));
        }

        public void PatchU32(int position, uint value)
        {
            Span<byte> span = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(span, value);
            for (int i = 0; i < 4; i++) _bytes[position + i] = span[i];
        }

        public void PatchU16(int position, ushort value)
        {
            _bytes[position] = (byte)value;
            _bytes[position + 1] = (byte)(value >> 8);
        }

        public void PatchByte(int position, byte value) => _bytes[position] = value;
    }
}
