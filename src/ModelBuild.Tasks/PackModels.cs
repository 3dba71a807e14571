namespace ModelBuild.Tasks
{
    /// <summary>
    /// Runs <c>modelbuild pack-models --manifest …</c> (ModelPackageLayout="PerRid") on the job
    /// <see cref="WriteModelPackManifest"/> wrote: the per-RID model packages, runtime.json and the main package's targets.
    /// </summary>
    public sealed class PackModels : ModelBuildToolTask
    {
        protected override string Command => "pack-models";
    }
}
