using System.Diagnostics;
using System.Text.Json;
using ModelBuild.Compiler.Caching;
using ModelBuild.Compiler.Reports;

namespace ModelBuild.Benchmarks;

/// <summary>
/// One compile the benchmarks run: a quantization for one target, and the benchmark variant it matches. With
/// <paramref name="SampleInputs"/> the compile gets the model's calibration samples as <c>--sample-inputs</c> (static
/// int8 Conv calibrates only on them; verification then runs on them too).
/// </summary>
internal sealed record CompilerRun(string Quantize, string Target, string ClosestVariant, string Model = "transformer-encoder", bool SampleInputs = false);

/// <summary>
/// Runs the built compiler, <c>dotnet modelbuild.dll compile &lt;model&gt; --quantize q --targets t --fallback none --cache off --out dir</c>
/// (one variant: the target's, without the cpu fallback), as a child process: the whole pipeline a build runs (load, optimize, quantize, verify, emit). Measures its wall
/// time and peak memory, and reads the <c>modelbuild-report/1</c> file it writes.
/// </summary>
internal static class CompilerRuns
{
    // x64 int8 uses 7-bit signed weights and x64 fp16 is fp16 storage (docs/compilation.md), hence the matching variants.
    public static IReadOnlyList<CompilerRun> All { get; } =
    [
        new("int8", "x64", "int8-reduced"),
        new("int4", "x64", "int4"),
        new("fp16", "x64", "fp16-weights"),
        // The conv nets' x64 int8 builds with SampleInputs: each report carries the static int8 Conv decision made on this machine.
        new("int8", "x64", "int8-static-conv", "conv-net", SampleInputs: true),
        new("int8", "x64", "int8-static-conv", "ppocr-v4-rec", SampleInputs: true),
        new("int8", "x64", "int8-static-conv", "ppocr-v4-det", SampleInputs: true),
        // The default build of the conv nets: fp32 with the exact float rewrites where verification shows no loss.
        new("none", "cpu", "fp32", "ppocr-v4-rec"),
        new("none", "cpu", "fp32", "ppocr-v4-det"),
    ];

    /// <summary>How often the child's peak memory is read while it runs.</summary>
    public const int PollMilliseconds = 10;

    /// <summary>
    /// The compiler the benchmarks were built with: the project reference copies modelbuild.dll and its
    /// runtimeconfig.json next to the benchmark assembly.
    /// </summary>
    public static string CompilerPath
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "modelbuild.dll");
            return File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json"))
                ? path
                : throw new FileNotFoundException($"The compiler is not next to the benchmarks ({path} and its runtimeconfig.json): build tests/ModelBuild.Benchmarks.", path);
        }
    }

    public static CompileMeasurement Measure(BenchModel model, CompilerRun run, string source, string output)
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        List<string> args = [CompilerPath, "compile", source, "--quantize", run.Quantize, "--targets", run.Target, "--fallback", "none", "--cache", "off", "--out", output];
        if (run.SampleInputs)
        {
            args.AddRange(["--sample-inputs", NumpySamples.Write(model.CalibrationSamples(), output + ".samples")]);
        }

        args.ForEach(start.ArgumentList.Add);

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.WaitForExit(PollMilliseconds))
        {
            peak = Math.Max(peak, PeakMemory(process));
        }

        double wall = clock.Elapsed.TotalSeconds;
        process.WaitForExit();
        string log = $"{stdout.Result}{stderr.Result}".Trim();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"modelbuild compile {model.Name} --quantize {run.Quantize} --targets {run.Target} exited with {process.ExitCode}:\n{log}");
        }

        Console.WriteLine(log);
        return new CompileMeasurement(model.Name, run.Quantize, run.Target, run.ClosestVariant, wall, peak, ReadReport(output));
    }

    /// <summary>The one variant of <c>&lt;out&gt;/&lt;Class&gt;.report.json</c> (schema modelbuild-report/1).</summary>
    private static VariantReport ReadReport(string output)
    {
        string[] files = Directory.GetFiles(output, "*.report.json");
        if (files.Length != 1)
        {
            throw new InvalidDataException($"Expected one *.report.json in {output}, found {files.Length}.");
        }

        Report report = JsonSerializer.Deserialize<Report>(File.ReadAllBytes(files[0]), CompileCache.JsonOptions)
            ?? throw new InvalidDataException($"{files[0]} is empty.");
        if (report.Schema != ReportWriter.Schema || report.Variants is not [{ FromCache: false } entry])
        {
            throw new InvalidDataException($"{files[0]}: expected schema {ReportWriter.Schema} with one freshly compiled variant.");
        }

        return entry.Variant.Verification.SkippedReason is { } skipped
            ? throw new InvalidDataException($"{files[0]}: the variant was not verified ({skipped}).")
            : entry.Variant;
    }

    /// <summary>
    /// The child's peak resident set so far: VmHWM from /proc/&lt;pid&gt;/status on Linux (a high-water mark, so the
    /// last reading before exit is the peak), the peak working set elsewhere. 0 once the process is gone.
    /// </summary>
    private static long PeakMemory(Process process)
    {
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                process.Refresh();
                return process.PeakWorkingSet64;
            }

            foreach (string line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                // "VmHWM:    123456 kB"
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // Exited between the wait and the read.
        }

        return 0;
    }

    private sealed record Report(string Schema, string Model, IReadOnlyList<ReportEntry> Variants);

    private sealed record ReportEntry(VariantReport Variant, bool FromCache);
}
