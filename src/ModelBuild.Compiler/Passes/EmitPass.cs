using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Reports;
using ModelBuild.Compiler.Signature;
using ModelBuild.Compiler.Variants;

namespace ModelBuild.Compiler.Passes;

/// <summary>
/// Writes each variant's files (its model, and its <c>.data</c> file when it has one) into <c>{target}/</c> of the
/// job's output folder, then the signature, the report and the asset
/// list. The asset list is written last: the build treats its presence as "done".
/// </summary>
internal sealed class EmitPass : IModelPass
{
    public string Name => "emit";

    public bool RunsForSignatureOnly => true;

    public void Run(CompilationContext context)
    {
        CompileJob job = context.Job;
        if (context.SignatureOnly)
        {
            // Design-time builds compile nothing: the signature names the planned assets, hashed from the source model.
            string sourceSha256 = context.ModelSha256;
            OutputFiles.WriteAtomically(job.SignatureFile, SignatureWriter.Write(job, context.Model, context.Variants, _ => sourceSha256));
            return;
        }
        List<string> assets = WriteAssets(context);
        OutputFiles.WriteAtomically(job.SignatureFile, SignatureWriter.Write(job, context.Model, context.Variants, v => v.Report!.Sha256));
        if (job.ReportFile is { } reportFile)
        {
            OutputFiles.WriteAtomically(reportFile, ReportWriter.Write(context));
        }
        OutputFiles.WriteAtomically(job.AssetListFile, string.Join("\n", assets) + "\n");
        foreach (CompiledVariant variant in context.Variants)
        {
            context.Reporter.Info(ReportLine.Format(Path.GetFileName(job.Model), variant));
        }
    }

    /// <summary>Stages every asset in a fresh folder and swaps it in, so the output folder is never half written.</summary>
    private static List<string> WriteAssets(CompilationContext context)
    {
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(context.Job.OutputDirectory));
        string staging = $"{output}.{Guid.NewGuid():N}.staging";
        var assets = new List<string>();
        try
        {
            foreach (CompiledVariant variant in context.Variants)
            {
                string folder = variant.Plan.Target.Name();
                Directory.CreateDirectory(Path.Combine(staging, folder));
                foreach (string file in variant.Files)
                {
                    File.Copy(Path.Combine(variant.Folder!, file), Path.Combine(staging, folder, file));
                    assets.Add($"{folder}/{file}");
                }
                if (variant.RequiredOperators is { } operators)
                {
                    File.WriteAllText(Path.Combine(staging, folder, variant.RequiredOperatorsFileName), operators);
                    assets.Add($"{folder}/{variant.RequiredOperatorsFileName}");
                }
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
}
