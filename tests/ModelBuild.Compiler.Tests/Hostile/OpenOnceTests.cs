using System.Diagnostics;
using System.Security.Cryptography;
using ModelBuild.Compiler.Passes;
using ModelBuild.Compiler.Pipeline;
using ModelZoo;

namespace ModelBuild.Compiler.Tests.Hostile;

/// <summary>The compiler reads the model file once: what happens to the path afterwards cannot change or stall the compile.</summary>
public sealed class OpenOnceTests
{
    [Fact]
    public async Task A_model_swapped_for_a_fifo_after_loading_neither_blocks_nor_changes_the_signature()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no FIFOs in Windows file systems
        }
        using var temp = new TempFolder();
        Zoo.Write("iris-classifier.onnx", temp.Path);
        string model = temp.File("iris-classifier.onnx");
        string expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(model)));
        CompileJob job = Jobs.For(model, temp.File("out"));
        CompilationContext context = Jobs.Context(job, signatureOnly: true);

        new LoadPass().Run(context);
        File.Delete(model);
        using (Process mkfifo = Process.Start("mkfifo", [model]))
        {
            await mkfifo.WaitForExitAsync();
        }
        // Opening the FIFO by path again (to hash the model, say) would block until a writer comes.
        await Task.Run(() =>
        {
            new ValidatePass().Run(context);
            new PlanPass().Run(context);
            new EmitPass().Run(context);
        }).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains($"\"sha256\": \"{expected}\"", File.ReadAllText(job.SignatureFile));
    }
}
