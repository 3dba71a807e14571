using System.Text.Json.Nodes;
using ModelBuild.Compiler.Pipeline;
using ModelZoo.Published;
using Xunit.Abstractions;

namespace ModelBuild.Compiler.Tests.Verification;

/// <summary>
/// Real published models (openWakeWord's audio front-end, embedding and wake-word classifiers, silero VAD with If
/// subgraphs and LSTM state) compiled in-process as a new user's <c>&lt;Model Include&gt;</c> would be, and with
/// <c>Quantize="int8"</c>: each builds, and every variant is verified against the original. A few seconds in all;
/// the PP-OCR conv nets (about 90 s here) go through the SDK in the end-to-end PublishedModelsTests instead.
/// </summary>
public sealed class PublishedModelDefaultsTests(ITestOutputHelper output)
{
    public static TheoryData<string> Models() => [.. PublishedModels.OpenWakeWordOnnx];

    [Theory]
    [MemberData(nameof(Models))]
    public void Builds_and_verifies_with_default_metadata_and_with_int8(string file)
    {
        string model = PublishedModels.OpenWakeWord.File(file);
        using var temp = new TempFolder();
        foreach (string? quantize in new[] { null, "int8" })
        {
            CompileJob job = Jobs.For(model, temp.File(quantize ?? "defaults"), "M");
            var (ok, lines) = Jobs.Run(job with { Quantize = quantize });
            // MB5002 (int8 found no weights worth converting, e.g. conv-only nets) is the quantizer's honest note, not a verification problem.
            var problems = lines.Select(Jobs.Parse).Where(m => m.Kind == "error" || m.Kind == "warning" && m.Code != "MB5002").ToList();
            Assert.True(ok && problems.Count == 0, $"{file} Quantize={quantize ?? "(default)"}:\n" + string.Join("\n", problems.Select(p => $"{p.Kind} {p.Code}: {p.Text}")));

            foreach (JsonNode? entry in JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]!.AsArray())
            {
                JsonNode verification = entry!["variant"]!["verification"]!;
                Assert.Null((string?)verification["skippedReason"]);
                foreach (JsonNode? metrics in verification["outputs"]!.AsArray())
                {
                    output.WriteLine($"{file} {quantize ?? "none"} {(string?)metrics!["name"]}: cosine {(double)metrics["cosine"]!}");
                }
            }
        }
    }
}
