using System.Diagnostics;
using Google.Protobuf;
using ModelBuild.Onnx.Protos;
using ModelZoo;
using ModelZoo.Models;
using static ModelZoo.OnnxBuilder;

namespace ModelBuild.Onnx.Tests;

/// <summary>
/// Files crafted to exhaust, hang or fool the reader: memory stays proportional to the file, non-files are refused by
/// type before any read, and external data is checked through the handle it is read from.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static ModelBuildException ReadFails(string path, string code, OnnxReadLimits? limits = null)
    {
        var ex = Assert.Throws<ModelBuildException>(() => OnnxModelReader.ReadFile(path, limits));
        Assert.Equal(code, ex.Code);
        Assert.Equal(path, ex.FilePath);
        return ex;
    }

    /// <summary>ir_version 8, a graph of <paramref name="graph"/>'s bytes, one opset import: a model written byte by byte.</summary>
    private static byte[] ModelBytes(byte[] graph)
    {
        var output = new MemoryStream();
        var writer = new CodedOutputStream(output);
        writer.WriteTag(1, WireFormat.WireType.Varint);
        writer.WriteInt64(8);
        writer.WriteTag(7, WireFormat.WireType.LengthDelimited);
        writer.WriteBytes(ByteString.CopyFrom(graph));
        writer.WriteTag(8, WireFormat.WireType.LengthDelimited);
        writer.WriteMessage(new OperatorSetIdProto { Version = 13 });
        writer.Flush();
        return output.ToArray();
    }

    [Fact]
    public void A_model_parsed_from_its_handle_is_the_file_and_its_hash_is_of_the_file()
    {
        // The reader checks the bytes, then parses the file again through the same handle, hashing what it parses:
        // weights of several MiB cross many of the parser's buffer refills.
        var weights = new byte[5_000_003];
        new Random(7).NextBytes(weights);
        var model = new ModelProto
        {
            IrVersion = 8,
            Graph = new GraphProto { Name = "g", Initializer = { new TensorProto { Name = "w", DataType = 2, Dims = { weights.Length }, RawData = ByteString.CopyFrom(weights) } } },
            OpsetImport = { new OperatorSetIdProto { Version = 13 } },
        };
        string path = _folder.File("weights.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        ModelProto read = OnnxModelReader.ReadFile(path, out string sha256);

        Assert.Equal(model, read);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), sha256);
    }

    [Fact]
    public void Ten_million_empty_nodes_are_refused_without_building_them()
    {
        // GraphProto.node is field 1: each empty node is the two bytes 0A 00, so 20 MB on disk.
        var graph = new byte[20_000_000];
        for (int i = 0; i < graph.Length; i += 2) graph[i] = 0x0A;
        string path = _folder.File("nodes.onnx");
        File.WriteAllBytes(path, ModelBytes(graph));
        GC.Collect();

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = ReadFails(path, "MB1005");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("500000 nodes", ex.Message);
        // Was 2.85 GB peak; now the file's bytes and little else (the bound: under 1 GB).
        Assert.True(allocated < 100L << 20, $"allocated {allocated >> 20} MiB");

        // With the node limit raised, the memory estimate (4 x the file + 64 MiB) still refuses it before parsing.
        before = GC.GetAllocatedBytesForCurrentThread();
        ex = ReadFails(path, "MB1005", new OnnxReadLimits { MaxNodes = int.MaxValue });
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("times its size", ex.Message);
        Assert.True(allocated < 100L << 20, $"allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void A_length_prefix_of_2_to_the_40_is_MB1003_not_an_empty_graph()
    {
        // graph (field 7) with a length of 2^40: protobuf reads lengths as 32 bits, which made it 0.
        var bytes = new List<byte> { 0x08, 0x08, 0x3A };
        ulong length = 1UL << 40;
        while (length >= 0x80) { bytes.Add((byte)(length | 0x80)); length >>= 7; }
        bytes.Add((byte)length);
        bytes.AddRange([0x42, 0x02, 0x10, 0x0D]); // opset_import { version: 13 }
        string path = _folder.File("prefix.onnx");
        File.WriteAllBytes(path, [.. bytes]);

        var ex = ReadFails(path, "MB1003");
        Assert.Contains("length prefix of 1099511627776 bytes", ex.Message);
    }

    [Fact]
    public void A_huge_string_is_MB1005_before_it_is_decoded()
    {
        var model = Model(new GraphProto { Name = "g" }, docString: new string('x', 65 << 20));
        string path = _folder.File("string.onnx");
        File.WriteAllBytes(path, model.ToByteArray());

        var ex = ReadFails(path, "MB1005");
        Assert.Contains("doc_string", ex.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void An_ir_version_below_1_is_MB1004(long irVersion)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Output.Add(Value("y", TensorProto.Types.DataType.Float, [Dim(1)]));
        string path = _folder.File("ir.onnx");
        File.WriteAllBytes(path, Model(graph, irVersion: irVersion).ToByteArray());

        Assert.Contains("ir_version", ReadFails(path, "MB1004").Message);
    }

    [Fact]
    public async Task A_fifo_as_the_model_path_is_refused_without_blocking()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no FIFOs in Windows file systems
        }
        string path = _folder.File("fifo.onnx");
        using (var mkfifo = Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Opening a FIFO for reading blocks until a writer comes: run the read where a hang cannot take the test with it.
        ModelBuildException ex = await Task.Run(() => Assert.Throws<ModelBuildException>(() => OnnxModelReader.ReadFile(path)))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("MB1030", ex.Code);
        Assert.Contains("not a regular file", ex.Message);
    }

    [Fact]
    public void A_device_as_the_model_path_is_refused_before_reading()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        // /dev/zero would read forever; it is refused by type.
        Assert.Equal("MB1030", Assert.Throws<ModelBuildException>(() => OnnxModelReader.ReadFile("/dev/zero")).Code);
    }

    private (string Folder, string Model, ExternalDataReference Weight) ExternalModel()
    {
        string folder = _folder.File("model");
        Zoo.Write("external-data.onnx", folder);
        string model = Path.Combine(folder, "external-data.onnx");
        var reference = OnnxExternalData.Enumerate(OnnxModelReader.ReadFile(model), folder, model).Single(r => r.Tensor.Name == "W");
        return (folder, model, reference);
    }

    [Fact]
    public void External_data_swapped_for_a_symlink_after_the_checks_is_not_read()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var (folder, model, weight) = ExternalModel();
        string secret = _folder.File("secret.txt");
        File.WriteAllText(secret, new string('s', 4096));

        // The race the path checks cannot win, made deterministic: swap after Enumerate, before Read.
        File.Delete(weight.FullPath);
        File.CreateSymbolicLink(weight.FullPath, secret);

        var ex = Assert.Throws<ModelBuildException>(() => OnnxExternalData.Read(weight, model));
        Assert.Equal("MB1013", ex.Code);
        Assert.Equal(model, ex.FilePath);
        Assert.DoesNotContain("sss", ex.Message);
    }

    [Fact]
    public void Hashing_external_data_goes_through_the_same_checked_handle()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var (_, model, weight) = ExternalModel();
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        OnnxExternalData.AppendFileTo(hash, weight, model);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(weight.FullPath)), hash.GetHashAndReset());

        string secret = _folder.File("secret.txt");
        File.WriteAllText(secret, "secret");
        File.Delete(weight.FullPath);
        File.CreateSymbolicLink(weight.FullPath, secret);
        Assert.Equal("MB1013", Assert.Throws<ModelBuildException>(() => OnnxExternalData.AppendFileTo(hash, weight, model)).Code);
    }

    [Fact]
    public void External_data_swapped_for_a_hard_link_after_the_checks_is_not_read()
    {
        var (_, model, weight) = ExternalModel();
        string outside = _folder.File("outside.data");
        File.Copy(weight.FullPath, outside);
        File.Delete(weight.FullPath);
        HardLink.Create(outside, weight.FullPath);

        var ex = Assert.Throws<ModelBuildException>(() => OnnxExternalData.Read(weight, model));
        Assert.Equal("MB1016", ex.Code);
    }

    [Fact]
    public async Task External_data_swapped_for_a_fifo_after_the_checks_is_refused_without_blocking()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var (_, model, weight) = ExternalModel();
        File.Delete(weight.FullPath);
        using (var mkfifo = Process.Start("mkfifo", [weight.FullPath]))
        {
            mkfifo.WaitForExit();
        }

        ModelBuildException ex = await Task.Run(() => Assert.Throws<ModelBuildException>(() => OnnxExternalData.Read(weight, model)))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("MB1015", ex.Code);
    }

    [Fact]
    public void External_data_errors_name_the_model_file()
    {
        string folder = _folder.File("model");
        Zoo.Write("external-data.onnx", folder);
        string model = Path.Combine(folder, "external-data.onnx");
        File.Delete(Path.Combine(folder, ExternalDataModel.DataFileName));

        var ex = Assert.Throws<ModelBuildException>(() => OnnxExternalData.Enumerate(OnnxModelReader.ReadFile(model), folder, model));
        Assert.Equal("MB1014", ex.Code);
        Assert.Equal(model, ex.FilePath);
    }
}
