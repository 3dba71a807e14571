using System;
using System.IO;
using System.Text;

namespace ModelBuild.Shared
{
    /// <summary>The model formats a <c>&lt;Model&gt;</c> item may point at.</summary>
    internal enum ModelFormat
    {
        Onnx,
        Tflite,
        PyTorch,
        TensorFlow,
        Keras,
        CoreMl,
        Safetensors,
        Gguf,
    }

    /// <summary>
    /// Tells the format of a model path from its content (magic bytes) first and its extension second, so a
    /// renamed file is still recognised. Shared by the compiler and the MSBuild tasks (netstandard2.0: plain C#).
    /// </summary>
    internal static class ModelFormatDetector
    {
        private const int HeaderBytes = 16;

        public static ModelFormat Detect(string path)
        {
            if (Directory.Exists(path))
            {
                return DetectFolder(path);
            }
            byte[] header = ReadHeader(path);
            return FromMagic(header) ?? FromExtension(Path.GetExtension(path)) ?? ModelFormat.Onnx;
        }

        /// <summary>SavedModel folders hold <c>saved_model.pb</c>; Core ML packages <c>Manifest.json</c> (and end in .mlpackage).</summary>
        private static ModelFormat DetectFolder(string path)
        {
            if (File.Exists(Path.Combine(path, "saved_model.pb")) || File.Exists(Path.Combine(path, "saved_model.pbtxt")))
            {
                return ModelFormat.TensorFlow;
            }
            if (path.TrimEnd('/', '\\').EndsWith(".mlpackage", StringComparison.OrdinalIgnoreCase)
                || File.Exists(Path.Combine(path, "Manifest.json")))
            {
                return ModelFormat.CoreMl;
            }
            return FromExtension(Path.GetExtension(path.TrimEnd('/', '\\'))) ?? ModelFormat.Onnx;
        }

        internal static ModelFormat? FromMagic(byte[] header)
        {
            if (header.Length >= 8 && Ascii(header, 4, 4) == "TFL3")
            {
                return ModelFormat.Tflite; // flatbuffer file identifier, after the root table offset
            }
            if (header.Length >= 4 && Ascii(header, 0, 4) == "GGUF")
            {
                return ModelFormat.Gguf;
            }
            if (header.Length >= 8 && header[0] == 0x89 && Ascii(header, 1, 3) == "HDF")
            {
                return ModelFormat.Keras; // HDF5 signature: Keras .h5 weights and models
            }
            if (header.Length >= 2 && header[0] == 0x80 && header[1] >= 2 && header[1] <= 5)
            {
                return ModelFormat.PyTorch; // a pickle stream (protocol 2-5): torch.save's legacy format
            }
            if (header.Length >= 9 && header[8] == (byte)'{' && BitConverter.ToUInt64(header, 0) is > 1 and < (1UL << 32))
            {
                return ModelFormat.Safetensors; // little-endian header length, then the JSON header
            }
            return null;
        }

        internal static ModelFormat? FromExtension(string extension)
        {
            switch (extension.ToLowerInvariant())
            {
                case ".onnx": return ModelFormat.Onnx;
                case ".tflite": return ModelFormat.Tflite;
                case ".pt": case ".pth": return ModelFormat.PyTorch;
                case ".pb": case ".savedmodel": return ModelFormat.TensorFlow;
                case ".h5": case ".hdf5": case ".keras": return ModelFormat.Keras;
                case ".mlmodel": case ".mlpackage": return ModelFormat.CoreMl;
                case ".safetensors": return ModelFormat.Safetensors;
                case ".gguf": return ModelFormat.Gguf;
                default: return null;
            }
        }

        private static byte[] ReadHeader(string path)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
                {
                    var header = new byte[HeaderBytes];
                    int read = 0;
                    while (read < header.Length)
                    {
                        int n = stream.Read(header, read, header.Length - read);
                        if (n == 0)
                        {
                            break;
                        }
                        read += n;
                    }
                    Array.Resize(ref header, read);
                    return header;
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return new byte[0]; // the format's own reader reports the I/O error with its code
            }
        }

        private static string Ascii(byte[] bytes, int start, int count) => Encoding.ASCII.GetString(bytes, start, count);
    }
}
