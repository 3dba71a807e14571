using System.IO.Compression;
using System.Text;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Verification;

namespace ModelBuild.Benchmarks;

/// <summary>
/// Writes sample sets as a SampleInputs folder the compiler reads: one <c>.npz</c> archive per set (numpy.savez's
/// layout), an entry <c>&lt;input&gt;.npy</c> per input. Names sort in set order.
/// </summary>
internal static class NumpySamples
{
    public static string Write(IReadOnlyList<SampleSet> sets, string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        for (int i = 0; i < sets.Count; i++)
        {
            using ZipArchive zip = ZipFile.Open(Path.Combine(folder, $"set_{i:D3}.npz"), ZipArchiveMode.Create);
            foreach (SampleTensor tensor in sets[i].Inputs)
            {
                using Stream entry = zip.CreateEntry(tensor.Name + ".npy", CompressionLevel.NoCompression).Open();
                entry.Write(Npy(tensor));
            }
        }

        return folder;
    }

    /// <summary>numpy.save's format 1.0: magic, header dict padded so the data starts at a multiple of 64, little-endian data.</summary>
    private static byte[] Npy(SampleTensor tensor)
    {
        (string descr, byte[] data) = tensor.ElementType switch
        {
            TensorElementType.Float => ("<f4", Bytes<float>((float[])tensor.Data)),
            TensorElementType.Int64 => ("<i8", Bytes<long>((long[])tensor.Data)),
            _ => throw new NotSupportedException($"No .npy writer for {tensor.ElementType} (sample '{tensor.Name}')."),
        };
        string shape = tensor.Shape.Length == 1 ? $"({tensor.Shape[0]},)" : $"({string.Join(", ", tensor.Shape)})";
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        header = header.PadRight((10 + header.Length + 1 + 63) / 64 * 64 - 10 - 1) + "\n";
        using var bytes = new MemoryStream();
        bytes.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        bytes.Write(BitConverter.GetBytes((ushort)header.Length));
        bytes.Write(Encoding.Latin1.GetBytes(header));
        bytes.Write(data);
        return bytes.ToArray();
    }

    private static byte[] Bytes<T>(T[] values) where T : unmanaged =>
        BitConverter.IsLittleEndian
            ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray()
            : throw new PlatformNotSupportedException(".npy samples are written little-endian.");
}
