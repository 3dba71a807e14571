using System.Globalization;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Onnx;

/// <summary>
/// Writes a model whose weights may exceed protobuf's 2 GB limit: large tensors go to one side file
/// (<c>{model file name}.data</c>, ONNX external data) and only the small ModelProto is serialized. Tensors that are
/// already external are copied from their source file in chunks, so no more than one new tensor's bytes (held by the
/// caller's model) and one chunk are in memory. Output bytes depend only on the input: same model, same files.
/// </summary>
public static class OnnxExternalDataWriter
{
    /// <summary>Offsets are multiples of this, as onnx aligns them: ONNX Runtime can then memory-map each tensor.</summary>
    public const int Alignment = 4096;

    private const int ChunkBytes = 1 << 20;

    /// <summary>
    /// Writes <paramref name="model"/> (left unchanged) to <paramref name="path"/>. Every external tensor, and every
    /// initializer with at least <paramref name="minTensorBytes"/> bytes of raw data, is stored in
    /// <c>{path}.data</c> at an aligned offset, in graph order. Existing external data resolves against
    /// <paramref name="sourceDirectory"/> with onnx's safety rules (<see cref="OnnxExternalData.Enumerate"/>).
    /// </summary>
    /// <returns>True when the data file was written (some tensor is external); otherwise there is none.</returns>
    public static bool Write(ModelProto model, string sourceDirectory, string path, long minTensorBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(minTensorBytes);

        // ByteStrings are immutable: the clone shares tensor bytes instead of copying them.
        ModelProto copy = model.Clone();
        var external = OnnxExternalData.Enumerate(copy, sourceDirectory)
            .ToDictionary<ExternalDataReference, TensorProto, ExternalDataReference>(r => r.Tensor, r => r, ReferenceEqualityComparer.Instance);
        string fullPath = Path.GetFullPath(path);
        string dataName = Path.GetFileName(fullPath) + ".data";
        string dataPath = fullPath + ".data";
        if (external.Values.Any(r => r.FullPath == dataPath))
        {
            throw new ArgumentException("The data file would overwrite the external data it copies; write to another folder.", nameof(path));
        }

        var initializers = Initializers(copy);
        FileStream? data = null;
        try
        {
            foreach (TensorProto tensor in OnnxTensorWalker.AllTensors(copy))
            {
                if (external.TryGetValue(tensor, out ExternalDataReference? reference))
                {
                    data ??= Create(dataPath);
                    long offset = Align(data);
                    CopyRange(reference, data);
                    MakeExternal(tensor, dataName, offset, reference.Length);
                }
                else if (initializers.Contains(tensor) && tensor.HasRawData && tensor.RawData.Length >= minTensorBytes
                         && tensor.DataLocation != TensorProto.Types.DataLocation.External)
                {
                    data ??= Create(dataPath);
                    long offset = Align(data);
                    data.Write(tensor.RawData.Span);
                    long length = tensor.RawData.Length;
                    tensor.ClearRawData();
                    MakeExternal(tensor, dataName, offset, length);
                }
            }

            data?.Flush(flushToDisk: true);
        }
        catch (IOException ex)
        {
            data?.Dispose();
            data = null;
            File.Delete(dataPath);
            throw new ModelBuildException(OnnxErrorCodes.WriteFailed,
                $"External data file '{dataPath}' could not be written: {ex.Message} Check that the folder is writable and has free space.",
                dataPath, ex);
        }
        finally
        {
            data?.Dispose();
        }

        OnnxModelWriter.WriteFile(copy, fullPath);
        return File.Exists(dataPath);
    }

    private static FileStream Create(string path) =>
        new(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);

    /// <summary>Pads with zeros up to the next aligned offset; returns it.</summary>
    private static long Align(FileStream data)
    {
        long padding = (Alignment - data.Position % Alignment) % Alignment;
        Span<byte> zeros = stackalloc byte[256];
        zeros.Clear();
        while (padding > 0)
        {
            int n = (int)Math.Min(padding, zeros.Length);
            data.Write(zeros[..n]);
            padding -= n;
        }

        return data.Position;
    }

    private static void CopyRange(ExternalDataReference reference, FileStream data)
    {
        using var source = new FileStream(reference.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        source.Seek(reference.Offset, SeekOrigin.Begin);
        byte[] buffer = new byte[(int)Math.Min(ChunkBytes, Math.Max(reference.Length, 1))];
        long left = reference.Length;
        while (left > 0)
        {
            int n = (int)Math.Min(left, buffer.Length);
            // EndOfStreamException (an IOException): the file shrank after Enumerate checked it.
            source.ReadExactly(buffer, 0, n);
            data.Write(buffer, 0, n);
            left -= n;
        }
    }

    private static void MakeExternal(TensorProto tensor, string location, long offset, long length)
    {
        tensor.ExternalData.Clear();
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length.ToString(CultureInfo.InvariantCulture) });
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
    }

    /// <summary>
    /// Initializers of every graph, subgraphs included: only they are moved out (ONNX Runtime resolves external data
    /// of initializers; Constant-node attributes stay inline unless they already were external).
    /// </summary>
    private static HashSet<TensorProto> Initializers(ModelProto model)
    {
        var set = new HashSet<TensorProto>(ReferenceEqualityComparer.Instance);
        var graphs = new Stack<GraphProto>();
        if (model.Graph is not null) graphs.Push(model.Graph);
        while (graphs.Count > 0)
        {
            GraphProto graph = graphs.Pop();
            set.UnionWith(graph.Initializer);
            foreach (NodeProto node in graph.Node)
            {
                foreach (AttributeProto attribute in node.Attribute)
                {
                    if (attribute.G is not null) graphs.Push(attribute.G);
                    foreach (GraphProto subgraph in attribute.Graphs) graphs.Push(subgraph);
                }
            }
        }

        return set;
    }
}
