using System.Buffers.Binary;

namespace ModelBuild.Compiler.Tflite;

/// <summary>
/// Bounds checks for an untrusted flatbuffer, written here because the C# <c>Google.FlatBuffers.Verifier</c>
/// (25.2.10) keeps vtable positions in an <c>Int16</c>: past 32 KB it prints an OverflowException to standard output
/// (the compiler's protocol channel) and treats the field as absent. All arithmetic here is in 64 bits.
/// </summary>
internal sealed class FlatBufferChecker(byte[] data, int maxTables)
{
    private int _tables;

    /// <summary>The root table's position, after checking the 4-character file identifier; -1 when either is wrong.</summary>
    public long Root(string identifier)
    {
        if (data.Length < 8 || !data.AsSpan(4, 4).SequenceEqual(System.Text.Encoding.ASCII.GetBytes(identifier)))
        {
            return -1;
        }
        long root = BinaryPrimitives.ReadUInt32LittleEndian(data);
        return InBounds(root, 4) ? root : -1;
    }

    /// <summary>A table at <paramref name="table"/>: its vtable and its inline data lie inside the buffer.</summary>
    public bool Table(long table)
    {
        if (++_tables > maxTables || !InBounds(table, 4))
        {
            return false;
        }
        long vtable = table - BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan((int)table));
        if (!InBounds(vtable, 4))
        {
            return false;
        }
        int vtableLength = U16(vtable), tableLength = U16(vtable + 2);
        return vtableLength >= 4 && vtableLength % 2 == 0 && InBounds(vtable, vtableLength) && tableLength >= 4 && InBounds(table, tableLength);
    }

    /// <summary>A scalar field of <paramref name="size"/> bytes lies inside its table (or is absent).</summary>
    public bool Scalar(long table, int field, int size)
    {
        int offset = FieldOffset(table, field);
        return offset == 0 || offset + size <= TableLength(table);
    }

    /// <summary>A vector of <paramref name="elementSize"/>-byte elements (or a string, with its terminating zero) lies inside the buffer.</summary>
    public bool Vector(long table, int field, int elementSize, bool isString = false) =>
        Target(table, field, out long vector) is not { } ok ? false : !ok || VectorBody(vector, elementSize, isString, out _);

    /// <summary>A vector of tables, each checked by <paramref name="check"/>.</summary>
    public bool Tables(long table, int field, Func<long, bool> check)
    {
        if (Target(table, field, out long vector) is not { } present)
        {
            return false;
        }
        if (!present)
        {
            return true;
        }
        if (!VectorBody(vector, 4, false, out long count))
        {
            return false;
        }
        for (long i = 0; i < count; i++)
        {
            long slot = vector + 4 + 4 * i;
            if (!check(slot + BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)slot))))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A sub-table field, checked by <paramref name="check"/> when present.</summary>
    public bool Child(long table, int field, Func<long, bool> check) =>
        Target(table, field, out long child) is { } present && (!present || check(child));

    /// <summary>The byte stored in a scalar field (0 when absent); call after <see cref="Scalar"/>.</summary>
    public byte Byte(long table, int field) => FieldOffset(table, field) is var offset and > 0 ? data[table + offset] : (byte)0;

    /// <returns>null: malformed; false: absent; true: <paramref name="target"/> is where the offset field points.</returns>
    private bool? Target(long table, int field, out long target)
    {
        target = 0;
        int offset = FieldOffset(table, field);
        if (offset == 0)
        {
            return false;
        }
        if (offset + 4 > TableLength(table))
        {
            return null;
        }
        long at = table + offset;
        target = at + BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)at));
        return InBounds(target, 4) ? true : null;
    }

    private bool VectorBody(long vector, int elementSize, bool isString, out long count)
    {
        count = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)vector));
        long bytes = count * elementSize + (isString ? 1 : 0);
        return InBounds(vector + 4, bytes) && (!isString || data[vector + 4 + count] == 0);
    }

    private int FieldOffset(long table, int field)
    {
        long vtable = table - BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan((int)table));
        int slot = 4 + 2 * field;
        return slot + 2 <= U16(vtable) ? U16(vtable + slot) : 0;
    }

    private int TableLength(long table) => U16(table - BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan((int)table)) + 2);

    private int U16(long position) => BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan((int)position));

    private bool InBounds(long position, long length) => position >= 0 && length >= 0 && position + length <= data.Length;
}
