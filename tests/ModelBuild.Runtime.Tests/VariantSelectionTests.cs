using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Runtime.Tests;

/// <summary>
/// Load() without a path chooses among compiled variants. Real ONNX Runtime (CPU package, so no CUDA provider) and the
/// zoo's iris classifier; other machines (Arm64, mobile, CUDA present) are described by an injected platform.
/// </summary>
public sealed class VariantSelectionTests
{
    private static float RunOnce(ModelSession session)
    {
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<float>(new float[] { 5.1f, 3.5f, 1.4f, 0.2f }, [1, 4]));
        using var results = session.Run(inputs);
        return results.GetTensor<float>(0).Sum();
    }

    [Fact]
    public void A_listed_CUDA_provider_without_its_libraries_is_never_appended_so_ONNX_Runtime_prints_nothing()
    {
        // As with the GPU package on a machine without CUDA: ONNX Runtime lists the provider, but appending it would make
        // ONNX Runtime print its native "Failed to load library" line. The libraries are looked for first (for real).
        bool appended = false;
        string[] providers = ["CUDAExecutionProvider", "CPUExecutionProvider"];

        string? reason = RuntimePlatform.ProbeCuda(providers, ["libmodelbuild-no-such-cuda.so.13", "no-such-cuda64_13.dll"], () => appended = true);

        Assert.False(appended);
        Assert.Equal("the CUDA libraries are not on this machine (libmodelbuild-no-such-cuda.so.13, no-such-cuda64_13.dll not found; the CUDA execution provider needs CUDA 13)", reason);
        Assert.Null(RuntimePlatform.ProbeCuda(providers, [], () => appended = true));
        Assert.True(appended, "with its libraries present the provider is appended, which decides");
    }

    [Fact]
    public void CudaAndCpu_WithoutCudaProvider_LoadsCpu_AndLogsWhyCudaWasSkipped()
    {
        Assert.DoesNotContain("CUDAExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
        using var folder = new VariantFolder("cpu", "cuda");

        using var session = folder.Load(folder.Options());

        Assert.Equal(folder.Variant("cpu"), session.Variant);
        Assert.Equal("cpu", session.ExecutionProvider);
        Assert.Equal(folder.PathOf("cpu"), session.ModelPath);
        Assert.Equal(1f, RunOnce(session), 4);
        Assert.Equal(
            [
                $"ModelBuild: Iris: skipped the cuda variant '{folder.PathOf("cuda")}': ONNX Runtime lists no CUDA execution provider " +
                    "(available: CPUExecutionProvider); it comes with the Microsoft.ML.OnnxRuntime.Gpu package",
                $"ModelBuild: Iris: chose the cpu variant '{folder.PathOf("cpu")}' (int8, cpu): the portable CPU variant",
            ],
            folder.Log);
    }

    [Fact]
    public void CudaAvailable_ChoosesTheAcceleratorFirst()
    {
        using var folder = new VariantFolder("cpu", "x64", "cuda");
        var options = folder.Options();

        VariantChoice choice = VariantSelector.Select(folder.Description, folder.BaseDirectory, options, VariantFolder.Platform(Architecture.X64, cuda: true));

        Assert.Equal(folder.Variant("cuda"), choice.Variant);
        Assert.Contains(folder.Log, l => l.Contains("chose the cuda variant", StringComparison.Ordinal) && l.Contains("accelerator", StringComparison.Ordinal));
        Assert.Contains(folder.Log, l => l.StartsWith("ModelBuild: Iris: skipped the x64 variant", StringComparison.Ordinal) && l.EndsWith("the cuda variant comes first (an accelerator variant whose execution provider initialises on this machine)", StringComparison.Ordinal));
        Assert.Contains(folder.Log, l => l.StartsWith("ModelBuild: Iris: skipped the cpu variant", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Architecture.X64, "x64")]
    [InlineData(Architecture.Arm64, "arm64")]
    [InlineData(Architecture.S390x, "cpu")]
    public void ArchitectureVariant_ComesBeforeThePortableOne(Architecture architecture, string expected)
    {
        using var folder = new VariantFolder("cpu", "x64", "arm64");

        using var session = folder.Load(folder.Options(), VariantFolder.Platform(architecture));

        Assert.Equal(expected, session.Variant.Target);
        Assert.Equal(folder.PathOf(expected), session.ModelPath);
        Assert.Equal(1f, RunOnce(session), 4);
        Assert.Equal(2, folder.Log.Count(l => l.Contains("skipped", StringComparison.Ordinal)));
    }

    [Fact]
    public void ThisProcess_GetsTheVariantForItsArchitecture()
    {
        using var folder = new VariantFolder("cpu", "x64", "arm64");
        using var session = folder.Load(folder.Options());
        string expected = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            _ => "cpu",
        };
        Assert.Equal(expected, session.Variant.Target);
    }

    [Fact]
    public void ForcedTarget_LoadsThatVariant_AndLogsTheOthersAsExcluded()
    {
        using var folder = new VariantFolder("cpu", "x64", "arm64");

        using var session = folder.Load(folder.Options(target: "ARM64"));

        Assert.Equal("arm64", session.Variant.Target);
        Assert.Equal(1f, RunOnce(session), 4);
        Assert.Contains($"ModelBuild: Iris: skipped the cpu variant '{folder.PathOf("cpu")}': ModelOptions.Target is 'ARM64'", folder.Log);
        Assert.Contains($"ModelBuild: Iris: skipped the x64 variant '{folder.PathOf("x64")}': ModelOptions.Target is 'ARM64'", folder.Log);
    }

    [Fact]
    public void ForcedCpuProvider_SkipsAnAvailableAccelerator()
    {
        using var folder = new VariantFolder("x64", "cuda");

        using var session = folder.Load(folder.Options(provider: "cpu"), VariantFolder.Platform(Architecture.X64, cuda: true));

        Assert.Equal("x64", session.Variant.Target);
        Assert.Equal("cpu", session.ExecutionProvider);
        Assert.Contains($"ModelBuild: Iris: skipped the cuda variant '{folder.PathOf("cuda")}': ModelOptions.ExecutionProvider is 'cpu'", folder.Log);
    }

    [Fact]
    public void ForcedCudaProvider_WithoutCuda_ThrowsMB3003WithEachReason()
    {
        using var folder = new VariantFolder("cpu", "cuda");

        var ex = Assert.Throws<ModelVariantNotFoundException>(() => folder.Load(folder.Options(provider: "cuda")));

        Assert.Contains($"cpu variant '{folder.PathOf("cpu")}': ModelOptions.ExecutionProvider is 'cuda'", ex.Message);
        Assert.Contains($"cuda variant '{folder.PathOf("cuda")}': ONNX Runtime lists no CUDA execution provider", ex.Message);
        Assert.Equal(2, ex.Skipped.Count);
    }

    [Fact]
    public void UnknownProviderOption_IsAnArgumentException()
    {
        using var folder = new VariantFolder("cpu");
        var ex = Assert.Throws<ArgumentException>(() => folder.Load(folder.Options(provider: "directml")));
        Assert.Contains("'directml'", ex.Message);
    }

    [Theory]
    [InlineData(true, "mobile")]
    [InlineData(false, "arm64")]
    public void Mobile_IsPreferredOnlyOnMobileOperatingSystems(bool mobileOs, string expected)
    {
        using var folder = new VariantFolder("arm64", "mobile");
        VariantChoice choice = VariantSelector.Select(folder.Description, folder.BaseDirectory, folder.Options(), VariantFolder.Platform(Architecture.X64, mobileOs));
        Assert.Equal(expected, choice.Variant.Target);
    }

    [Fact]
    public void OnlyAVariantForAnotherArchitecture_IsStillUsed()
    {
        using var folder = new VariantFolder("arm64");
        using var session = folder.Load(folder.Options(), VariantFolder.Platform(Architecture.X64));
        Assert.Equal("arm64", session.Variant.Target);
        Assert.Contains(folder.Log, l => l.EndsWith("no accelerator, architecture-specific or portable CPU variant is available", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingFiles_ThrowMB3003ListingWhatWasLookedForAndWhere()
    {
        using var folder = new VariantFolder("cpu", "x64", "cuda");
        string elsewhere = Path.Combine(folder.BaseDirectory, "not-deployed");
        var options = folder.Options();
        options.BaseDirectory = elsewhere;

        var ex = Assert.Throws<ModelVariantNotFoundException>(() => folder.Load(options));

        Assert.Equal("MB3003", ex.Code);
        Assert.Equal("Iris", ex.ClassName);
        Assert.Equal(Path.GetFullPath(elsewhere), ex.BaseDirectory);
        Assert.StartsWith($"MB3003: No variant of model 'Iris' can be loaded from '{Path.GetFullPath(elsewhere)}'. Looked for:", ex.Message);
        foreach (string target in new[] { "cpu", "x64", "cuda" })
        {
            string path = Path.GetFullPath(Path.Combine(elsewhere, folder.Variant(target).AssetPath));
            Assert.Contains($"{target} variant '{path}': file not found", ex.Message);
        }

        Assert.Equal(3, ex.Skipped.Count);
        Assert.Equal(3, folder.Log.Count);
    }

    [Fact]
    public void MissingChosenFile_FallsBackToTheNextVariant()
    {
        using var folder = new VariantFolder("cpu", "x64");
        File.Delete(folder.PathOf("x64"));

        using var session = folder.Load(folder.Options(), VariantFolder.Platform(Architecture.X64));

        Assert.Equal("cpu", session.Variant.Target);
        Assert.Contains($"ModelBuild: Iris: skipped the x64 variant '{folder.PathOf("x64")}': file not found", folder.Log);
    }

    [Fact]
    public void CorruptedChosenFile_ThrowsMB3001WithThatVariantsHash_WithoutFallingBack()
    {
        using var folder = new VariantFolder("cpu", "x64");
        string path = folder.PathOf("x64");
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x7F;
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<ModelIntegrityException>(() => folder.Load(folder.Options(), VariantFolder.Platform(Architecture.X64)));

        Assert.Equal("MB3001", ex.Code);
        Assert.Equal(path, ex.ModelPath);
        Assert.Equal(folder.Variant("x64").Sha256, ex.ExpectedSha256);
        Assert.Equal(TestModels.Sha256(path), ex.ActualSha256);
        Assert.NotEqual(folder.Variant("cpu").Sha256, folder.Variant("x64").Sha256);
    }

    [Fact]
    public void ExplicitPath_IsCheckedAgainstTheVariantItIs()
    {
        using var folder = new VariantFolder("cpu", "x64", "mobile");

        using var session = ModelSession.Load(folder.Description, folder.PathOf("x64"), null);

        Assert.Equal(folder.Variant("x64"), session.Variant);
        Assert.Equal("cpu", session.ExecutionProvider);
        Assert.Equal(1f, RunOnce(session), 4);
    }

    [Fact]
    public void ExplicitPath_ElsewhereWithASharedFileName_IsCheckedAgainstTheFirstVariant_AsBefore()
    {
        using var folder = new VariantFolder("cpu", "x64");
        string copies = Path.Combine(folder.BaseDirectory, "copies");
        Directory.CreateDirectory(copies);
        string cpuCopy = Path.Combine(copies, VariantFolder.Model);
        File.Copy(folder.PathOf("cpu"), cpuCopy);

        using (var session = ModelSession.Load(folder.Description, cpuCopy, null))
        {
            Assert.Equal(folder.Variant("cpu"), session.Variant);
        }

        File.Copy(folder.PathOf("x64"), cpuCopy, overwrite: true);
        var ex = Assert.Throws<ModelIntegrityException>(() => ModelSession.Load(folder.Description, cpuCopy, null));
        Assert.Equal(folder.Description.Sha256, ex.ExpectedSha256);
        using var unchecked_ = ModelSession.Load(folder.Description, cpuCopy, new ModelOptions { VerifyIntegrity = false });
        Assert.Equal(1f, RunOnce(unchecked_), 4);
    }

    [Fact]
    public void ExplicitPath_WithAUniqueFileName_IsThatVariant()
    {
        using var folder = new VariantFolder("cpu", "mobile");
        string copy = Path.Combine(folder.BaseDirectory, "iris-classifier.ort");
        File.Copy(folder.PathOf("mobile"), copy);

        Assert.Equal(folder.Variant("mobile"), VariantSelector.ForExplicitPath(folder.Description, copy));
    }

    [Fact]
    public void DescriptionWithoutVariants_HasOnePortableVariantAtItsAsset()
    {
        var d = TestModels.Describe(TestModels.Iris(), "models/iris/iris.onnx", "abc");
        Assert.Equal([new ModelVariant("cpu", "none", "cpu", "models/iris/iris.onnx", "abc")], d.Variants);
        Assert.Throws<ArgumentException>(() => new ModelDescription(d.ClassName, d.ModelFileName, d.AssetPath, d.Sha256, d.IrVersion,
            d.OpsetImports, d.ProducerName, d.ProducerVersion, d.GraphName, d.DocString, d.Inputs, d.Outputs, []));
    }
}
