using System.IO.Compression;
using System.Text;

namespace ModelBuild.Compiler.Tests.Formats;

/// <summary>Models in formats ModelBuild does not read fail through the whole compiler with their own code and export command.</summary>
public sealed class OtherFormatsTests
{
    public static TheoryData<string, string, string> Files => new()
    {
        // file name, code, a piece of the export command the message must carry
        { "net.pt", "MB1100", "torch.onnx.export" },
        { "net.pth", "MB1100", "torch.onnx.export" },
        { "graph.pb", "MB1101", "tf2onnx.convert --graphdef" },
        { "net.h5", "MB1102", "tf2onnx.convert --keras" },
        { "net.keras", "MB1102", "tf2onnx.convert" },
        { "net.mlmodel", "MB1103", "torch.onnx.export" },
        { "weights.safetensors", "MB1104", "optimum-cli export onnx" },
        { "llm.gguf", "MB1105", "onnxruntime_genai.models.builder" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void A_file_of_another_format_fails_with_its_code_and_export_command(string name, string code, string command)
    {
        using var temp = new TempFolder();
        string model = temp.File(name);
        File.WriteAllBytes(model, Content(name));

        var (ok, lines) = Jobs.Run(Jobs.For(model, temp.File("out")));

        Assert.False(ok);
        var error = Jobs.SingleError(lines);
        Assert.Equal(code, error.Code);
        Assert.Equal(model, error.File);
        Assert.Contains(model, error.Text);
        Assert.Contains(command, error.Text);
        Assert.DoesNotContain("not a valid ONNX", error.Text);
        Assert.Equal([name], temp.Entries());
    }

    [Theory]
    [InlineData("net.onnx", "GGUF", "MB1105")] // a renamed file is told by its content
    [InlineData("net.onnx", "\u0089HDF\r\n\u001a\n", "MB1102")]
    [InlineData("net.bin", "\u0080\u0002}q\u0000.", "MB1100")]
    public void Magic_bytes_win_over_the_extension(string name, string header, string code)
    {
        using var temp = new TempFolder();
        string model = temp.File(name);
        File.WriteAllBytes(model, [.. header.Select(c => (byte)c), .. new byte[64]]);

        var (ok, lines) = Jobs.Run(Jobs.For(model, temp.File("out")));

        Assert.False(ok);
        Assert.Equal(code, Jobs.SingleError(lines).Code);
    }

    [Theory]
    [InlineData("saved", "saved_model.pb", "MB1101", "tf2onnx.convert --saved-model")]
    [InlineData("net.mlpackage", "Manifest.json", "MB1103", "Core ML")]
    public void A_model_folder_fails_with_its_code(string folder, string marker, string code, string text)
    {
        using var temp = new TempFolder();
        string model = temp.File(folder);
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, marker), "x");

        var (ok, lines) = Jobs.Run(Jobs.For(model, temp.File("out")));

        Assert.False(ok);
        var error = Jobs.SingleError(lines);
        Assert.Equal(code, error.Code);
        Assert.Contains(text, error.Text);
    }

    /// <summary>Each format's real leading bytes (or, where it has none, plausible content).</summary>
    private static byte[] Content(string name) => Path.GetExtension(name) switch
    {
        ".pt" or ".keras" => Zip("archive/data.pkl"), // torch.save and Keras 3 write zip archives
        ".pth" => [0x80, 0x02, .. "}q\0."u8], // legacy torch.save: a pickle
        ".h5" => [0x89, .. "HDF\r\n\u001a\n"u8, .. new byte[32]],
        ".safetensors" => Safetensors(),
        ".gguf" => [.. "GGUF"u8, 3, 0, 0, 0, .. new byte[32]],
        _ => [0x0a, 0x03, .. "abc"u8], // protobuf (.pb GraphDef, .mlmodel): no magic, told by extension
    };

    private static byte[] Zip(string entry)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
            writer.Write("x");
        }
        return stream.ToArray();
    }

    private static byte[] Safetensors()
    {
        byte[] header = Encoding.UTF8.GetBytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        return [.. BitConverter.GetBytes((ulong)header.Length), .. header, 0, 0, 0, 0];
    }
}
