using System.IO.Compression;
using System.Text;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx.Protos;
using static ModelBuild.Compiler.Tests.Verification.SampleInputGeneratorTests;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Verification;

/// <summary>SampleInputs as NumPy files: <c>name.npy</c> per input (one set) or one <c>.npz</c> archive per set.</summary>
public sealed class NumpySampleTests
{
    private static ModelProto TwoInputs() => Model(Graph(
        Value("features", DataType.Float, [Dim("batch"), Dim(3)]),
        Value("ids", DataType.Int64, [Dim("batch")])));

    /// <summary>What numpy.save writes: magic, version 1.0, a header dict padded to 64 bytes, then the data.</summary>
    internal static byte[] Npy(string descr, long[] shape, byte[] data, bool fortran = false)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        string header = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shapeText}, }}";
        int padded = (10 + header.Length + 1 + 63) / 64 * 64 - 10;
        header = header.PadRight(padded - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    internal static byte[] Float32(params float[] values) => FloatBytes(values);

    private static byte[] Int64(params long[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    private static void WriteNpz(string path, params (string Entry, byte[] Npy)[] arrays)
    {
        using ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entry, npy) in arrays)
        {
            using Stream stream = zip.CreateEntry(entry).Open();
            stream.Write(npy);
        }
    }

    [Fact]
    public void Npy_files_named_after_the_inputs_make_one_set()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("features.npy"), Npy("<f4", [2, 3], Float32(1, 2, 3, 4, 5, 6)));
        File.WriteAllBytes(temp.File("ids.npy"), Npy("<i8", [2], Int64(7, 9)));

        SampleSet set = Assert.Single(SampleInputLoader.Load(temp.Path, TwoInputs()));

        Assert.Equal(["features", "ids"], set.Inputs.Select(t => t.Name));
        Assert.Equal([2L, 3L], set.Inputs[0].Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], Data<float>(set, "features"));
        Assert.Equal([7L, 9L], Data<long>(set, "ids"));
    }

    [Fact]
    public void Each_npz_archive_is_one_set_by_name_or_by_numpy_position()
    {
        using var temp = new TempFolder();
        WriteNpz(temp.File("a.npz"), ("features.npy", Npy("<f4", [1, 3], Float32(1, 2, 3))), ("ids.npy", Npy("<i8", [1], Int64(4))));
        // numpy.savez(path, x, y) names them arr_0, arr_1: positional.
        WriteNpz(temp.File("b.npz"), ("arr_0.npy", Npy("<f4", [1, 3], Float32(5, 6, 7))), ("arr_1.npy", Npy("<i8", [1], Int64(8))));

        var sets = SampleInputLoader.Load(temp.Path, TwoInputs());

        Assert.Equal(2, sets.Count);
        Assert.Equal([1f, 2, 3], Data<float>(sets[0], "features"));
        Assert.Equal([5f, 6, 7], Data<float>(sets[1], "features"));
        Assert.Equal([8L], Data<long>(sets[1], "ids"));
    }

    public static TheoryData<string, byte[], string> BadArrays => new()
    {
        { "truncated", Npy("<f4", [2, 3], Float32(1, 2, 3, 4, 5))[..^2], "is truncated" },
        { "not npy", Encoding.ASCII.GetBytes("features,1,2,3\n"), "magic bytes" },
        { "dtype", Npy("<f8", [2, 3], new byte[48]), "holds double values; the input is float" },
        { "shape", Npy("<f4", [2, 4], new byte[32]), "has shape [2, 4]" },
        { "fortran", Npy("<f4", [2, 3], new byte[24], fortran: true), "Fortran" },
        { "big-endian", Npy(">f4", [2, 3], new byte[24]), "not a little-endian" },
        { "strings", Npy("<U3", [2], new byte[24]), "not a little-endian" },
    };

    [Theory]
    [MemberData(nameof(BadArrays))]
    public void Bad_npy_files_fail_with_MB5602_naming_the_file(string what, byte[] features, string expected)
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("features.npy"), features);
        File.WriteAllBytes(temp.File("ids.npy"), Npy("<i8", [2], Int64(7, 9)));

        var e = Assert.Throws<ModelToolException>(() => SampleInputLoader.Load(temp.Path, TwoInputs()));

        Assert.Equal(ToolErrorCodes.SampleInvalid, e.Code);
        Assert.Contains("features.npy", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: {e.Message}");
    }

    [Fact]
    public void Unknown_names_missing_inputs_and_broken_archives_are_reported()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("featurez.npy"), Npy("<f4", [1, 3], Float32(1, 2, 3)));
        var unknown = Assert.Throws<ModelToolException>(() => SampleInputLoader.Load(temp.Path, TwoInputs()));
        Assert.Contains("featurez.npy' holds tensor 'featurez', but the model has no input of that name", unknown.Message, StringComparison.Ordinal);

        File.Delete(temp.File("featurez.npy"));
        WriteNpz(temp.File("only.npz"), ("features.npy", Npy("<f4", [1, 3], Float32(1, 2, 3))));
        var missing = Assert.Throws<ModelToolException>(() => SampleInputLoader.Load(temp.Path, TwoInputs()));
        Assert.Contains("only.npz' lacks input(s) 'ids'", missing.Message, StringComparison.Ordinal);

        File.WriteAllBytes(temp.File("only.npz"), [0x50, 0x4B, 3, 4, 1, 2]);
        var broken = Assert.Throws<ModelToolException>(() => SampleInputLoader.Load(temp.Path, TwoInputs()));
        Assert.Equal(ToolErrorCodes.SampleInvalid, broken.Code);
        Assert.Contains("only.npz' is not a readable .npz", broken.Message, StringComparison.Ordinal);
    }
}
