using ModelBuild.Onnx;
using ModelZoo.Models;

namespace ModelZoo;

/// <summary>
/// Every test and sample model, built from code (no downloads). Output is deterministic: writing
/// the same name twice gives the same bytes.
/// </summary>
public static class Zoo
{
    private static readonly Dictionary<string, Action<string>> Writers = new(StringComparer.Ordinal)
    {
        ["iris-classifier.onnx"] = path => OnnxModelWriter.WriteFile(IrisClassifierModel.Build(), path),
        ["awkward-names.onnx"] = path => OnnxModelWriter.WriteFile(AwkwardNamesModel.Build(), path),
        ["dynamic-dims.onnx"] = path => OnnxModelWriter.WriteFile(DynamicDimsModel.Build(), path),
        ["external-data.onnx"] = path =>
        {
            // Data file first, so the model never exists without its weights.
            File.WriteAllBytes(Path.Combine(Path.GetDirectoryName(path)!, ExternalDataModel.DataFileName), ExternalDataModel.BuildDataFile());
            OnnxModelWriter.WriteFile(ExternalDataModel.Build(), path);
        },
        ["hostile-doc.onnx"] = path => OnnxModelWriter.WriteFile(HostileDocModel.Build(), path),
        ["transformer-encoder-small.onnx"] = path => OnnxModelWriter.WriteFile(TransformerEncoderModel.Build(TransformerEncoderConfig.Small), path),
        ["conv-net-small.onnx"] = path => OnnxModelWriter.WriteFile(ConvNetModel.Build(ConvNetConfig.Small), path),
        ["text-classifier.onnx"] = path => OnnxModelWriter.WriteFile(TextClassifierModel.Build(), path),
        ["empty.onnx"] = path => File.WriteAllBytes(path, InvalidFiles.Empty()),
        ["truncated.onnx"] = path => File.WriteAllBytes(path, InvalidFiles.Truncated()),
        ["random.onnx"] = path => File.WriteAllBytes(path, InvalidFiles.Random()),
        ["not-a-model.onnx"] = path => File.WriteAllBytes(path, InvalidFiles.NotAModel()),
    };

    // Full-size models for benchmarks: written only on request (Write, or the ModelZoo command line by name),
    // never by WriteAll, because tests call WriteAll and these take seconds and hundreds of MB.
    private static readonly Dictionary<string, Action<string>> LargeWriters = new(StringComparer.Ordinal)
    {
        ["transformer-encoder.onnx"] = path => OnnxModelWriter.WriteFile(TransformerEncoderModel.Build(TransformerEncoderConfig.Full), path),
        ["conv-net.onnx"] = path => OnnxModelWriter.WriteFile(ConvNetModel.Build(ConvNetConfig.Full), path),
    };

    /// <summary>
    /// File names of every model <see cref="WriteAll"/> writes (external-data.onnx also writes its .data file).
    /// Small and fast; the full-size models are in <see cref="LargeNames"/>.
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = [.. Writers.Keys];

    /// <summary>Full-size models (transformer-encoder.onnx 170 MB, conv-net.onnx 5 MB) that only <see cref="Write"/> writes.</summary>
    public static IReadOnlyList<string> LargeNames { get; } = [.. LargeWriters.Keys];

    /// <summary>The files that must be read without error (the others are deliberately invalid).</summary>
    public static IReadOnlyList<string> ValidModels { get; } =
        ["iris-classifier.onnx", "awkward-names.onnx", "dynamic-dims.onnx", "external-data.onnx", "hostile-doc.onnx",
         "transformer-encoder-small.onnx", "conv-net-small.onnx", "text-classifier.onnx"];

    /// <summary>Writes one model of <see cref="Names"/> or <see cref="LargeNames"/> (file name, with or without ".onnx") into <paramref name="folder"/>.</summary>
    public static void Write(string name, string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string fileName = name.EndsWith(".onnx", StringComparison.Ordinal) ? name : name + ".onnx";
        if (!Writers.TryGetValue(fileName, out var write) && !LargeWriters.TryGetValue(fileName, out write))
        {
            throw new ArgumentException($"Unknown model '{name}'. Known: {string.Join(", ", Names.Concat(LargeNames))}.", nameof(name));
        }

        Directory.CreateDirectory(folder);
        write(Path.Combine(folder, fileName));
    }

    /// <summary>Writes every model of <see cref="Names"/> (not the large ones) into <paramref name="folder"/>.</summary>
    public static void WriteAll(string folder)
    {
        foreach (string name in Names)
        {
            Write(name, folder);
        }
    }
}
