using System.Globalization;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Verification;

/// <summary>
/// Sample inputs supplied by the user as serialized ONNX TensorProto files, in the layout of ONNX's backend test
/// data: either <c>folder/input_0.pb, input_1.pb, ...</c> (one set) or
/// <c>folder/test_data_set_0/input_0.pb, ...</c> (one set per subfolder, in numeric order). Other files
/// (<c>output_*.pb</c>, <c>model.onnx</c>) are ignored. A tensor's name selects the model input; a tensor without a
/// name takes the input at its file index (among the inputs that need feeding).
/// </summary>
internal static class SampleInputLoader
{
    private const long MaxFileBytes = int.MaxValue;

    /// <exception cref="ModelToolException">MB5602 naming the file and input for anything unusable; MB5601 for non-tensor inputs.</exception>
    public static IReadOnlyList<SampleSet> Load(string folder, ModelProto model)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(model);
        GraphProto graph = model.Graph ?? throw new ArgumentException("The model has no graph.", nameof(model));
        if (!Directory.Exists(folder))
        {
            throw Invalid($"Sample folder '{folder}' does not exist.");
        }

        var sets = new List<(string Where, List<SampleFile> Files)>();
        if (InputFiles(folder).Count > 0)
        {
            sets.Add((folder, ReadPbSet(folder)));
        }
        else if (Directory.EnumerateDirectories(folder, "test_data_set_*").Any())
        {
            sets.AddRange(Directory.EnumerateDirectories(folder, "test_data_set_*")
                .Select(d => (Dir: d, Index: NumericSuffix(Path.GetFileName(d), "test_data_set_", "")))
                .Where(d => d.Index is not null)
                .OrderBy(d => d.Index)
                .Select(d => (d.Dir, ReadPbSet(d.Dir))));
        }
        else if (Directory.EnumerateFiles(folder, "*.npz").Order(StringComparer.Ordinal).ToList() is { Count: > 0 } archives)
        {
            sets.AddRange(archives.Select(a => (a, ReadNpz(a))));
        }
        else if (Directory.EnumerateFiles(folder, "*.npy").Order(StringComparer.Ordinal).ToList() is { Count: > 0 } arrays)
        {
            sets.Add((folder, [.. arrays.Select(f => new SampleFile(f, ReadNpy(f, () => ReadFile(f), Path.GetFileNameWithoutExtension(f)), 0))]));
        }
        if (sets.Count == 0)
        {
            throw Invalid($"Sample folder '{folder}' has no input_<n>.pb files, test_data_set_<n> folders, .npz or .npy files.");
        }

        var feedable = SampleInputGenerator.FeedableInputs(graph).ToList();
        var all = graph.Input.ToDictionary(i => i.Name, StringComparer.Ordinal);
        return [.. sets.Select(set => LoadSet(set.Where, set.Files, feedable, all))];
    }

    /// <summary>One tensor from a sample file; Position places an unnamed tensor among the inputs that need feeding.</summary>
    private sealed record SampleFile(string Path, TensorProto Tensor, int Position);

    private static List<SampleFile> ReadPbSet(string folder)
    {
        var files = InputFiles(folder);
        if (files.Count == 0)
        {
            throw Invalid($"Sample folder '{folder}' has no input_<n>.pb files.");
        }
        return [.. files.Select((f, i) => new SampleFile(f, ReadTensor(f), i))];
    }

    /// <summary>
    /// One set per .npz archive (numpy.savez): an entry <c>name.npy</c> feeds input <c>name</c>; numpy's positional
    /// <c>arr_N</c> feeds the N-th input when the model has no input of that name.
    /// </summary>
    private static List<SampleFile> ReadNpz(string archive)
    {
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(archive);
            var files = new List<SampleFile>();
            foreach (ZipArchiveEntry entry in zip.Entries.Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal)))
            {
                string where = $"{archive}!{entry.FullName}";
                if (entry.Length > MaxFileBytes) throw Invalid($"Sample file '{where}' is larger than 2 GiB.");
                string name = entry.FullName[..^4];
                int? position = NumericSuffix(entry.FullName, "arr_", ".npy");
                files.Add(new SampleFile(where, ReadNpy(where, () => ReadEntry(entry), position is null ? name : ""), position ?? 0));
            }
            return files.Count > 0 ? files : throw Invalid($"Sample file '{archive}' holds no .npy arrays.");
        }
        catch (InvalidDataException e)
        {
            throw Invalid($"Sample file '{archive}' is not a readable .npz (zip) archive: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid($"Sample file '{archive}' could not be read: {e.Message}", e);
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry)
    {
        using Stream stream = entry.Open();
        var buffer = new MemoryStream((int)entry.Length);
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static byte[] ReadFile(string file) =>
        new FileInfo(file).Length > MaxFileBytes ? throw Invalid($"Sample file '{file}' is larger than 2 GiB.") : File.ReadAllBytes(file);

    private static TensorProto ReadNpy(string where, Func<byte[]> read, string name)
    {
        byte[] bytes;
        try
        {
            bytes = read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid($"Sample file '{where}' could not be read: {e.Message}", e);
        }
        try
        {
            return NpyReader.Read(bytes, name);
        }
        catch (Exception e) when (e is InvalidDataException or OverflowException)
        {
            throw Invalid($"Sample file '{where}' is not a usable .npy array: {e.Message}.", e);
        }
    }

    private static SampleSet LoadSet(string folder, List<SampleFile> files, List<ValueInfoProto> feedable, Dictionary<string, ValueInfoProto> all)
    {
        var tensors = new Dictionary<string, SampleTensor>(StringComparer.Ordinal);
        foreach (var (file, proto, position) in files)
        {
            ValueInfoProto input;
            if (proto.Name.Length > 0)
            {
                input = all.GetValueOrDefault(proto.Name) ?? throw Invalid(
                    $"Sample file '{file}' holds tensor {ModelText.Quote(proto.Name)}, but the model has no input of that name " +
                    $"(inputs: {string.Join(", ", feedable.Select(i => ModelText.Quote(i.Name)))}).");
            }
            else if (position < feedable.Count)
            {
                input = feedable[position];
            }
            else
            {
                throw Invalid($"Sample file '{file}' has no tensor name and its index {position} is past the model's {feedable.Count} input(s).");
            }

            if (tensors.ContainsKey(input.Name))
            {
                throw Invalid($"Sample file '{file}' gives input {ModelText.Quote(input.Name)} a second time in '{folder}'.");
            }
            tensors[input.Name] = Convert(proto, input, file);
        }

        var missing = feedable.Where(i => !tensors.ContainsKey(i.Name)).Select(i => ModelText.Quote(i.Name)).ToList();
        if (missing.Count > 0)
        {
            throw Invalid($"Sample folder '{folder}' lacks input(s) {string.Join(", ", missing)}.");
        }

        // Graph order, so sets loaded and generated look alike.
        return new SampleSet([.. all.Keys.Where(tensors.ContainsKey).Select(name => tensors[name])]);
    }

    private static SampleTensor Convert(TensorProto proto, ValueInfoProto input, string file)
    {
        string where = $"Sample file '{file}' for input {ModelText.Quote(input.Name)}";
        TypeProto.Types.Tensor declared = SampleInputGenerator.TensorType(input);
        if (proto.DataType != declared.ElemType)
        {
            throw Invalid($"{where} holds {TensorProtoDecoder.TypeName(proto.DataType)} values; the input is {TensorProtoDecoder.TypeName(declared.ElemType)}.");
        }
        TensorElementType type = SampleElementTypes.FromOnnx(declared.ElemType, $"Input {ModelText.Quote(input.Name)}");

        long[] shape = [.. proto.Dims];
        if (declared.Shape is { } expected)
        {
            bool fits = expected.Dim.Count == shape.Length && expected.Dim
                .Select((d, axis) => !d.HasDimValue || d.DimValue < 0 || d.DimValue == shape[axis])
                .All(ok => ok);
            if (!fits)
            {
                string want = string.Join(", ", expected.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.HasDimParam ? d.DimParam : "?"));
                throw Invalid($"{where} has shape [{string.Join(", ", shape)}]; the input's shape is [{want}].");
            }
        }

        try
        {
            return new SampleTensor(input.Name, type, shape, TensorProtoDecoder.Decode(proto, type));
        }
        catch (InvalidDataException e)
        {
            throw Invalid($"{where} is unusable: {e.Message}.", e);
        }
    }

    private static TensorProto ReadTensor(string file)
    {
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes) throw Invalid($"Sample file '{file}' is larger than 2 GiB.");
            using var stream = info.OpenRead();
            using var input = CodedInputStream.CreateWithLimits(stream, (int)MaxFileBytes, 100);
            var tensor = new TensorProto();
            tensor.MergeFrom(input);
            return tensor;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Invalid($"Sample file '{file}' is not a serialized ONNX TensorProto: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Invalid($"Sample file '{file}' could not be read: {e.Message}", e);
        }
    }

    private static List<string> InputFiles(string folder) =>
        [.. Directory.EnumerateFiles(folder, "input_*.pb")
            .Select(f => (File: f, Index: NumericSuffix(Path.GetFileName(f), "input_", ".pb")))
            .Where(f => f.Index is not null)
            .OrderBy(f => f.Index)
            .Select(f => f.File)];

    private static int? NumericSuffix(string name, string prefix, string extension)
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(extension, StringComparison.Ordinal)) return null;
        string digits = name[prefix.Length..^extension.Length];
        return digits.Length > 0 && digits.All(char.IsAsciiDigit) && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;
    }

    private static ModelToolException Invalid(string message, Exception? inner = null) => new(ToolErrorCodes.SampleInvalid, message, inner);
}
