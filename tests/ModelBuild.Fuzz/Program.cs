using System.Diagnostics;
using System.Globalization;
using ModelBuild.Fuzz;
using ModelBuild.Onnx;
using ModelZoo;

// Mutates the zoo's models and hostile models and reads each result the way the compiler does (reader, then external
// data enumeration). Every input must end in a model or a ModelBuildException; anything else, or memory beyond the
// reader's bound (4 x file + 64 MiB), is a finding, saved with its stack under --out.
//   dotnet run --project tests/ModelBuild.Fuzz -c Release -- [--seconds 180] [--seed 1] [--out artifacts/fuzz]
int seconds = 180, seed = 1;
string output = Path.Combine("artifacts", "fuzz");
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--seconds": seconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--out": output = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

string work = Path.Combine(output, "work");
string findings = Path.Combine(output, "findings");
Directory.CreateDirectory(work);
Directory.CreateDirectory(findings);
foreach (string name in Zoo.ValidModels)
{
    Zoo.Write(name, work);
}
var seeds = Zoo.ValidModels.Select(name => File.ReadAllBytes(Path.Combine(work, name))).ToList();
seeds.Add(Google.Protobuf.MessageExtensions.ToByteArray(HostileModels.EndlessLoop(growingScanFloats: 16)));
seeds.Add(Google.Protobuf.MessageExtensions.ToByteArray(HostileModels.HugeConstantOfShape()));
seeds.Add(Google.Protobuf.MessageExtensions.ToByteArray(HostileModels.OverflowingInput()));

var mutator = new Mutator(seed);
var random = new Random(seed);
string input = Path.Combine(work, "input.onnx"); // beside external-data.onnx's data file, so locations resolve
var outcomes = new Dictionary<string, long>(StringComparer.Ordinal);
var distinct = new HashSet<string>(StringComparer.Ordinal);
long executions = 0, maxAllocated = 0;
var clock = Stopwatch.StartNew();
while (clock.Elapsed.TotalSeconds < seconds)
{
    byte[] data = mutator.Mutate(seeds[random.Next(seeds.Count)]);
    File.WriteAllBytes(input, data);
    long before = GC.GetAllocatedBytesForCurrentThread();
    string outcome;
    string? finding = null;
    try
    {
        var model = OnnxModelReader.ReadFile(input);
        OnnxExternalData.Enumerate(model, work, input);
        outcome = "read";
    }
    catch (ModelBuildException e)
    {
        outcome = e.Code;
    }
    catch (Exception e)
    {
        outcome = "CRASH " + e.GetType().Name;
        finding = e.ToString();
    }
    long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
    maxAllocated = Math.Max(maxAllocated, allocated);
    if (finding is null && allocated > 4L * data.Length + (64L << 20))
    {
        outcome = "MEMORY";
        finding = $"allocated {allocated} bytes reading {data.Length} bytes";
    }
    executions++;
    outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
    if (finding is not null)
    {
        string signature = finding.Split('\n').Take(3).Aggregate("", (a, l) => a + l.Trim());
        if (distinct.Add(signature))
        {
            string name = $"finding-{distinct.Count}";
            File.WriteAllBytes(Path.Combine(findings, name + ".onnx"), data);
            File.WriteAllText(Path.Combine(findings, name + ".txt"), finding);
        }
    }
}

Console.WriteLine($"fuzz: {executions} executions in {clock.Elapsed.TotalSeconds:0} s ({executions / clock.Elapsed.TotalSeconds:0}/s), seed {seed}, " +
    $"{distinct.Count} distinct finding(s), largest allocation for one input {maxAllocated >> 20} MiB");
foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value))
{
    Console.WriteLine($"  {outcome}: {count}");
}
return distinct.Count == 0 ? 0 : 1;
