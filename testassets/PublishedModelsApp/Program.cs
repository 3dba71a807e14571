using PublishedModelsApp.Models;

// Loads each model's variant for this machine and says which it is; PublishedModelsTests runs them through the
// generated wrappers and compares with ONNX Runtime on the original models.
#if PUBLISHED_TFLITE
using var melspectrogram = Melspectrogram.Load();
using var classifier = HeyJarvis.Load();
foreach (var variant in new[] { melspectrogram.Variant, classifier.Variant })
#else
using var melspectrogram = Melspectrogram.Load();
using var vad = SileroVad.Load();
using var recognizer = OcrRecognizer.Load();
foreach (var variant in new[] { melspectrogram.Variant, vad.Variant, recognizer.Variant })
#endif
{
    Console.WriteLine($"asset: {variant.AssetPath}");
}
