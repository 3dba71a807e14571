using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

// GpuCheck <variants-folder> [runs]
// The folder holds one subfolder per model with input-shape.txt ("1,3,960,960") and fp32/ and fp16/ subfolders
// with one .onnx each (prepare.sh writes it). Per model: the fp32 variant on the CPU is the reference; each form runs
// with the CUDA provider (the CPU when CUDA cannot start) and is checked against it (cosine per output), ONNX
// Runtime's Memcpy nodes are counted in the optimized model it saves, nodes placed on the CPU are counted from a
// profile, and the median latency over `runs` runs is printed.
if (args.Length is < 1 or > 2 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: GpuCheck <variants-folder> [runs]");
    return 2;
}

int runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50;
string scratch = Directory.CreateTempSubdirectory("gpucheck-").FullName;
Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()}; providers: {string.Join(", ", OrtEnv.Instance().GetAvailableProviders())}");
bool failed = false;
foreach (string modelFolder in Directory.GetDirectories(args[0]).Order(StringComparer.Ordinal))
{
    string name = Path.GetFileName(modelFolder);
    long[] shape = [.. File.ReadAllText(Path.Combine(modelFolder, "input-shape.txt")).Trim().Split(',').Select(long.Parse)];
    float[] input = Inputs.Uniform(shape, seed: 12);
    string reference = Directory.GetFiles(Path.Combine(modelFolder, "fp32"), "*.onnx").Single();
    float[][] expected;
    using (var cpu = Sessions.Create(reference, cuda: false, scratch, $"{name}-reference"))
    {
        expected = Sessions.Run(cpu.Session, input, shape);
    }

    var medians = new Dictionary<string, double>();
    bool allOnCuda = true;
    foreach (string form in new[] { "fp32", "fp16" })
    {
        string formFolder = Path.Combine(modelFolder, form);
        if (!Directory.Exists(formFolder)) continue;
        string file = Directory.GetFiles(formFolder, "*.onnx").Single();
        using var session = Sessions.Create(file, cuda: true, scratch, $"{name}-{form}");
        float[][] actual = Sessions.Run(session.Session, input, shape);
        double cosine = expected.Zip(actual, Metrics.Cosine).Min();
        double median = Sessions.MedianMilliseconds(session.Session, input, shape, runs);
        string profile = session.Session.EndProfiling();
        (int cudaNodes, int cpuNodes, string cpuOps) = Profiles.Placement(profile);
        int memcpy = Profiles.MemcpyNodes(session.OptimizedModel);
        Console.WriteLine($"{name} {form} on {session.Provider}: cosine vs CPU fp32 {cosine:F6}, median {median:F2} ms over {runs} runs, " +
            $"Memcpy nodes {memcpy}, nodes on CUDA {cudaNodes}, on CPU {cpuNodes}{(cpuOps.Length > 0 ? $" ({cpuOps})" : "")}");
        failed |= !(cosine >= 0.99);
        medians[form] = median;
        allOnCuda &= session.Provider == "CUDA";
    }

    // The goal (issue 12): the fp16 cuda variant at most 0.7x the fp32 one's latency, else cuda ships fp32.
    if (allOnCuda && medians.TryGetValue("fp32", out double fp32) && medians.TryGetValue("fp16", out double fp16))
    {
        double ratio = fp16 / fp32;
        Console.WriteLine($"{name}: fp16/fp32 latency {ratio:F2}x -> {(ratio <= 0.7 ? "fp16 pays on this GPU" : "fp16 does not pay: ship fp32 for cuda")}");
    }
}

Directory.Delete(scratch, recursive: true);
return failed ? 1 : 0;

/// <summary>A session, the provider it got, and where ONNX Runtime saved its optimized model.</summary>
internal sealed record CheckedSession(InferenceSession Session, string Provider, string OptimizedModel) : IDisposable
{
    public void Dispose() => Session.Dispose();
}

internal static class Sessions
{
    public static CheckedSession Create(string model, bool cuda, string scratch, string tag)
    {
        if (cuda)
        {
            try
            {
                return Open(model, cuda: true, scratch, tag);
            }
            catch (OnnxRuntimeException e)
            {
                Console.WriteLine($"{tag}: CUDA provider unavailable, running on the CPU ({e.Message.Split('\n')[0]})");
            }
        }

        return Open(model, cuda: false, scratch, tag);
    }

    private static CheckedSession Open(string model, bool cuda, string scratch, string tag)
    {
        string optimized = Path.Combine(scratch, tag + ".optimized.onnx");
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            OptimizedModelFilePath = optimized,
            ProfileOutputPathPrefix = Path.Combine(scratch, tag), // before EnableProfiling, which passes the prefix on
            EnableProfiling = true,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        if (cuda) options.AppendExecutionProvider_CUDA(0);
        return new CheckedSession(new InferenceSession(model, options), cuda ? "CUDA" : "CPU", optimized);
    }

    public static float[][] Run(InferenceSession session, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var results = session.Run(new RunOptions(), [session.InputNames[0]], [value], session.OutputNames);
        return [.. results.Select(r => r.GetTensorDataAsSpan<float>().ToArray())];
    }

    public static double MedianMilliseconds(InferenceSession session, float[] input, long[] shape, int runs)
    {
        for (int i = 0; i < 5; i++) Run(session, input, shape); // warm-up: cuDNN picks its algorithms on the first runs
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Run(session, input, shape);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }
}

internal static class Inputs
{
    /// <summary>Uniform in [-1, 1) from a fixed seed: normalized-image-like.</summary>
    public static float[] Uniform(long[] shape, int seed)
    {
        var random = new Random(seed);
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = random.NextSingle() * 2f - 1f;
        return values;
    }
}

internal static class Metrics
{
    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / (Math.Sqrt(na) * Math.Sqrt(nb));
    }
}

internal static class Profiles
{
    /// <summary>
    /// Memcpy nodes in an ONNX model file: NodeProto.op_type is field 4 (tag 0x22), so the op type appears as
    /// 0x22, its length, its bytes (a node merely named so has tag 0x1A). No ONNX parser needed.
    /// </summary>
    public static int MemcpyNodes(string onnxFile)
    {
        if (!File.Exists(onnxFile)) return -1;
        byte[] bytes = File.ReadAllBytes(onnxFile);
        return Count(bytes, "MemcpyFromHost") + Count(bytes, "MemcpyToHost");
    }

    private static int Count(byte[] bytes, string opType)
    {
        byte[] pattern = [0x22, (byte)opType.Length, .. Encoding.ASCII.GetBytes(opType)];
        int count = 0;
        for (int i = bytes.AsSpan().IndexOf(pattern); i >= 0;)
        {
            count++;
            int next = bytes.AsSpan(i + 1).IndexOf(pattern);
            i = next < 0 ? -1 : i + 1 + next;
        }

        return count;
    }

    /// <summary>Distinct nodes per provider in an ONNX Runtime profile, and the op types of those on the CPU.</summary>
    public static (int Cuda, int Cpu, string CpuOps) Placement(string profileFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(profileFile));
        var cuda = new HashSet<string>();
        var cpu = new Dictionary<string, string>();
        foreach (JsonElement e in document.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() != "Node" || !e.TryGetProperty("args", out JsonElement a) || !a.TryGetProperty("provider", out JsonElement p)) continue;
            string node = a.TryGetProperty("node_index", out JsonElement index) ? index.ToString() : e.GetProperty("name").GetString()!;
            string op = a.TryGetProperty("op_name", out JsonElement o) ? o.GetString()! : "?";
            if (p.GetString() == "CUDAExecutionProvider") cuda.Add(node);
            else cpu[node] = op;
        }

        string ops = string.Join(", ", cpu.Values.GroupBy(o => o).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}"));
        return (cuda.Count, cpu.Count, ops);
    }
}
