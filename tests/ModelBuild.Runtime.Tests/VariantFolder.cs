using System.Runtime.InteropServices;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Runtime.Tests;

/// <summary>
/// A temporary application folder with the zoo's iris classifier laid out as compiled variants,
/// <c>models/Iris/&lt;target&gt;/iris-classifier.onnx</c> (<c>.ort</c> for mobile), and the description listing them.
/// Each variant's file differs (an unknown protobuf field carries its index), so each has its own hash.
/// </summary>
internal sealed class VariantFolder : IDisposable
{
    public const string Model = "iris-classifier.onnx";

    private static readonly string[] CanonicalOrder = ["cpu", "x64", "arm64", "cuda", "mobile"];

    public VariantFolder(params string[] targets)
    {
        BaseDirectory = Path.Combine(Path.GetTempPath(), "mbrt-variants-" + Guid.NewGuid().ToString("N"));
        string zoo = Path.Combine(BaseDirectory, "zoo");
        ModelZoo.Zoo.Write(Model, zoo);
        byte[] bytes = File.ReadAllBytes(Path.Combine(zoo, Model));
        var proto = ModelProto.Parser.ParseFrom(bytes);

        var variants = new List<ModelVariant>();
        foreach (string target in CanonicalOrder.Where(targets.Contains))
        {
            string assetPath = $"models/Iris/{target}/" + (target == "mobile" ? "iris-classifier.ort" : Model);
            string path = Path.Combine(BaseDirectory, assetPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // Field 100 (varint), unknown to ONNX: ignored by ONNX Runtime, but it changes the file's hash.
            File.WriteAllBytes(path, [.. bytes, 0xA0, 0x06, (byte)(variants.Count + 1)]);
            if (target == "mobile")
            {
                WriteOrtFormat(path);
            }
            variants.Add(new ModelVariant(
                target,
                target == "cuda" ? "fp16" : "int8",
                target == "cuda" ? "cuda" : "cpu",
                assetPath,
                TestModels.Sha256(path)));
        }

        ModelDescription d = TestModels.Describe(proto, variants[0].AssetPath, variants[0].Sha256);
        Description = new ModelDescription("Iris", d.ModelFileName, d.AssetPath, d.Sha256, d.IrVersion, d.OpsetImports,
            d.ProducerName, d.ProducerVersion, d.GraphName, d.DocString, d.Inputs, d.Outputs, variants);
    }

    public string BaseDirectory { get; }

    /// <summary>Rewrites the ONNX file at <paramref name="path"/> in ORT format, as the mobile target ships it, so it loads.</summary>
    private static void WriteOrtFormat(string path)
    {
        string onnx = path + ".onnx";
        File.Move(path, onnx);
        using (var options = new Microsoft.ML.OnnxRuntime.SessionOptions { OptimizedModelFilePath = path })
        {
            options.AddSessionConfigEntry("session.save_model_format", "ORT");
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx, options);
        }
        File.Delete(onnx);
    }

    public ModelDescription Description { get; }

    public List<string> Log { get; } = [];

    public ModelVariant Variant(string target) => Description.Variants.Single(v => v.Target == target);

    public string PathOf(string target) => Path.GetFullPath(Path.Combine(BaseDirectory, Variant(target).AssetPath));

    public ModelOptions Options(string? target = null, string? provider = null) => new()
    {
        BaseDirectory = BaseDirectory,
        Target = target,
        ExecutionProvider = provider,
        Logger = Log.Add,
    };

    /// <summary>Loads through selection on this machine, or on the one <paramref name="platform"/> describes.</summary>
    public ModelSession Load(ModelOptions options, RuntimePlatform? platform = null) =>
        ModelSession.Load(Description, null, options, platform ?? RuntimePlatform.Current);

    /// <summary>A machine with the given architecture; CUDA unavailable unless <paramref name="cuda"/>.</summary>
    public static RuntimePlatform Platform(Architecture architecture, bool mobile = false, bool cuda = false) =>
        new(architecture, mobile, () => cuda ? null : "no CUDA on this test machine");

    public void Dispose()
    {
        try
        {
            Directory.Delete(BaseDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
