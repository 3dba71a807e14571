using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using ModelBuild.Onnx;

namespace ModelBuild.Benchmarks;

/// <summary>
/// Compiles each variant in a child process (this executable with the <c>compile-probe</c> verb) and reads back its
/// <see cref="CompileMeasurement"/>; the file the child writes is the variant the benchmarks then load.
/// </summary>
internal static class CompileProbe
{
    public const string Verb = "compile-probe";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static CompileMeasurement Measure(BenchModel model, Variant variant, string source, string destination)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under `dotnet x.dll` the process is the host: the child needs the assembly spelled out.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }

        foreach (string arg in new[] { Verb, model.Name, variant.Name, source, destination })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Verb} {model.Name} {variant.Name} exited with {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        }

        string last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        return JsonSerializer.Deserialize<CompileMeasurement>(last, Json)!;
    }

    /// <summary>The child: <c>compile-probe model variant source destination</c>; prints one JSON line.</summary>
    public static int RunChild(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine($"usage: {Verb} <model> <variant> <source.onnx> <destination.onnx>");
            return 2;
        }

        BenchModel model = BenchModels.Get(args[0]);
        Variant variant = Variants.Get(args[1]);
        string source = args[2], destination = args[3];

        var clock = Stopwatch.StartNew();
        var proto = OnnxModelReader.ReadFile(source);
        double load = Lap(clock);
        string summary = variant.Apply(proto);
        double transform = Lap(clock);
        OnnxModelWriter.WriteFile(proto, destination);
        double write = Lap(clock);
        proto = null;
        long peakCompile = PeakWorkingSet();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);

        double cosine;
        using (var reference = OrtSessions.Create(source))
        using (var compiled = OrtSessions.Create(destination))
        using (var input = model.CreateInput(0))
        {
            cosine = Similarity.Cosine(OrtSessions.RunToArray(reference, model, input), OrtSessions.RunToArray(compiled, model, input));
        }

        double verify = Lap(clock);
        var result = new CompileMeasurement(model.Name, variant.Name, load, transform, write, verify, peakCompile, PeakWorkingSet(), allocated,
            new FileInfo(destination).Length, cosine, summary);
        Console.WriteLine(JsonSerializer.Serialize(result, Json));
        return 0;
    }

    private static double Lap(Stopwatch clock)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        return seconds;
    }

    private static long PeakWorkingSet()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.PeakWorkingSet64;
    }
}
