using System.Globalization;
using Microsoft.ML.OnnxRuntime.Tensors;
using QuantizedApp.Models;

// Runs the variant Load() chooses (x64 on an x64 machine without CUDA) on a fixed sentence of token ids.
long[] ids = [1, 5, 42, 7, 99, 3, 0, 12];
using var model = TransformerEncoderSmall.Load();
using var output = model.Run(new TransformerEncoderSmallInput { InputIds = new DenseTensor<long>(ids, [1, ids.Length]) });
Console.WriteLine($"asset: {model.Variant.AssetPath}");
Console.WriteLine($"hidden: {string.Join(" ", output.LastHiddenState.ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
