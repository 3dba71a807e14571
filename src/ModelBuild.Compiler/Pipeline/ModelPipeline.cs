using System.Diagnostics;
using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Passes;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx;

namespace ModelBuild.Compiler.Pipeline;

/// <summary>Runs the passes over each job; a failed model leaves no output behind (not even a stale one).</summary>
/// <remarks><c>large</c>: when a model is large (default <see cref="LargeModelSettings.Default"/>).</remarks>
internal sealed class ModelPipeline(Reporter reporter, bool signatureOnly, string? cacheDirectory, LargeModelSettings? large = null)
{
    private readonly IModelPass[] _passes =
    [
        new LoadPass(), new ValidatePass(), new PlanPass(), new MobileShapesPass(), new OptimizePass(beforeQuantize: true), new QuantizePass(),
        new OptimizePass(beforeQuantize: false), new ConvertPass(),
        new VerifyPass(), new CacheStorePass(), new DependenciesPass(), new EmitPass(),
    ];

    /// <returns>True when the model compiled.</returns>
    public bool Run(CompileJob job)
    {
        var clock = Stopwatch.StartNew();
        CompilationContext? context = null;
        reporter.Begin(job.Model);
        try
        {
            WorkFolders.UseRoot(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(job.SignatureFile))!, WorkFolders.FolderName));
            context = new CompilationContext(job, reporter, signatureOnly, CompileSettings.Parse(job), cacheDirectory, large);
            foreach (IModelPass pass in _passes)
            {
                if (signatureOnly && !pass.RunsForSignatureOnly)
                {
                    continue;
                }
                pass.Run(context);
                reporter.Detail($"{job.ClassName}: {pass.Name} done at {clock.ElapsedMilliseconds} ms");
            }
            return true;
        }
        catch (AlreadyReportedException)
        {
        }
        catch (ModelBuildException e)
        {
            // Every coded problem (model, options, passes, ONNX Runtime tools) is one exception type with its file.
            reporter.Error(e.Code, e.FilePath ?? job.Model, e.Message);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException { InnerException: DllNotFoundException })
        {
            reporter.Error("MB4053", job.Model, $"ONNX Runtime's native library could not be loaded on this machine, so the model cannot be compiled: {(e.InnerException ?? e).Message.Split('\n')[0]}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reporter.Error("MB4050", job.Model, $"Could not read or write a file while compiling: {e.Message}");
        }
        catch (Exception e)
        {
            // A bug, not the model's fault: one line naming the model, the stack in a file beside the signature.
            string? log = CrashLog.Write(Path.GetDirectoryName(job.SignatureFile) ?? ".", job.ClassName, job.Model, e);
            reporter.Error(CrashLog.Code, job.Model, CrashLog.Message(e, log));
        }
        finally
        {
            context?.DeleteWorkDirectory();
        }
        OutputFiles.Delete(job);
        return false;
    }
}
