namespace ModelBuild.Fuzz;

/// <summary>
/// Byte-level mutations that reach the reader's edge cases: flipped bits, "interesting" bytes (0, 0x7F, 0x80, 0xFF:
/// varint boundaries), overlong varints and huge length prefixes, truncation, and copied or deleted chunks. Seeded, so a
/// run can be repeated exactly.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x12, 0x3A, 0x42];

    private readonly Random _random = new(seed);

    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        int rounds = 1 + _random.Next(4);
        for (int i = 0; i < rounds && data.Count > 0; i++)
        {
            int at = _random.Next(data.Count);
            switch (_random.Next(7))
            {
                case 0:
                    data[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1:
                    data[at] = Interesting[_random.Next(Interesting.Length)];
                    break;
                case 2:
                    data.InsertRange(at, Varint(_random.Next(3) switch { 0 => 1UL << 40, 1 => (ulong)int.MaxValue + 1, _ => (ulong)_random.NextInt64() }));
                    break;
                case 3:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 4:
                {
                    int length = Math.Min(1 + _random.Next(64), data.Count - at);
                    data.InsertRange(_random.Next(data.Count), data.GetRange(at, length));
                    break;
                }
                case 5:
                    data.RemoveRange(at, Math.Min(1 + _random.Next(16), data.Count - at));
                    break;
                default:
                    // A run of empty messages (tag 0x0A, length 0): cheap on disk, many objects once parsed.
                    for (int n = _random.Next(1, 2000); n > 0; n--) data.InsertRange(at, [0x0A, 0x00]);
                    break;
            }
        }
        return [.. data];
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }
}
