using System.Security.Cryptography;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Signature;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Writes the model assets (the model and its external data files) into the job's output folder, then the
/// signature, then the asset list. The asset list is written last: the build treats its presence as "done".
/// </summary>
internal sealed class EmitPass : IModelPass
{
    public string Name => "emit";

    public bool RunsForSignatureOnly => true;

    public void Run(CompilationContext context)
    {
        CompileJob job = context.Job;
        byte[] model = File.ReadAllBytes(job.Model);
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(model));
        if (!context.SignatureOnly)
        {
            List<string> assets = WriteAssets(context, model);
            OutputFiles.WriteAtomically(job.SignatureFile, SignatureWriter.Write(job, context.Model, sha256));
            OutputFiles.WriteAtomically(job.AssetListFile, string.Join("\n", assets) + "\n");
            context.Reporter.Info($"ModelBuild: {Path.GetFileName(job.Model)} -> {job.ClassName}: {FormatSize(model.Length)}, {context.ExternalData.Count} external tensor(s), {job.AssetPathPrefix}");
        }
        else
        {
            OutputFiles.WriteAtomically(job.SignatureFile, SignatureWriter.Write(job, context.Model, sha256));
        }
    }

    /// <summary>Stages every asset in a fresh folder and swaps it in, so the output folder is never half written.</summary>
    private static List<string> WriteAssets(CompilationContext context, byte[] model)
    {
        CompileJob job = context.Job;
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(job.OutputDirectory));
        string staging = $"{output}.{Guid.NewGuid():N}.staging";
        var assets = new List<string> { Path.GetFileName(job.Model) };
        try
        {
            Directory.CreateDirectory(staging);
            File.WriteAllBytes(Path.Combine(staging, assets[0]), model);
            foreach (ExternalDataReference data in context.ExternalData.DistinctBy(d => d.FullPath))
            {
                string relative = data.RelativeLocation.Replace('\\', '/');
                string target = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(data.FullPath, target);
                assets.Add(relative);
            }
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
            Directory.Move(staging, output);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        return assets;
    }

    private static string FormatSize(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KB",
        _ => $"{bytes / (1024.0 * 1024):0.0} MB",
    };
}
