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
        ["empty.onnx"] = path => File.WriteAllBytes(path, InvalidFiles.Empty()),
        ["truncated.onnx"] = path => File.WriteAllBytes(path, InvalidFiles.Truncated()),
        ["random.onnx"] = path => File.WriteAllBytes(path, InvalidFiles.Random()),
        ["not-a-model.onnx"] = path => File.WriteAllBytes(path, InvalidFiles.NotAModel()),
    };

    /// <summary>File names of every model the zoo can write (external-data.onnx also writes its .data file).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Writers.Keys];

    /// <summary>The files that must be read without error (the others are deliberately invalid).</summary>
    public static IReadOnlyList<string> ValidModels { get; } =
        ["iris-classifier.onnx", "awkward-names.onnx", "dynamic-dims.onnx", "external-data.onnx", "hostile-doc.onnx"];

    /// <summary>Writes one model (file name, with or without ".onnx") into <paramref name="folder"/>.</summary>
    public static void Write(string name, string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string fileName = name.EndsWith(".onnx", StringComparison.Ordinal) ? name : name + ".onnx";
        if (!Writers.TryGetValue(fileName, out var write))
        {
            throw new ArgumentException($"Unknown model '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
        }

        Directory.CreateDirectory(folder);
        write(Path.Combine(folder, fileName));
    }

    public static void WriteAll(string folder)
    {
        foreach (string name in Names)
        {
            Write(name, folder);
        }
    }
}
