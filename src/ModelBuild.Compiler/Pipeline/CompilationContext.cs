using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Pipeline;

/// <summary>State handed from pass to pass while one model compiles.</summary>
internal sealed class CompilationContext(CompileJob job, Reporter reporter, bool signatureOnly, CompileSettings settings, string? cacheDirectory,
    LargeModelSettings? large = null)
{
    private ModelProto? _modelWithData;
    private bool _weightsReleased;

    public CompileJob Job { get; } = job;
    public Reporter Reporter { get; } = reporter;
    public CompileSettings Settings { get; } = settings;

    /// <summary>Null: no compile cache (command line <c>--no-cache</c>).</summary>
    public string? CacheDirectory { get; } = cacheDirectory;

    /// <summary>Design-time builds: produce the signature, skip assets and heavy passes.</summary>
    public bool SignatureOnly { get; } = signatureOnly;

    public string ModelDirectory => Path.GetDirectoryName(Job.Model)!;

    public LargeModelSettings Large { get; } = large ?? LargeModelSettings.Default;

    /// <summary>
    /// External data over <see cref="LargeModelSettings.ExternalDataLimit"/>: the passes never load the whole model,
    /// and variants keep their weights in a <c>.data</c> file (see <see cref="CompiledVariant"/>).
    /// </summary>
    public bool IsLarge => ExternalData.Sum(d => d.Length) > Large.ExternalDataLimit;

    /// <summary>Private folder of the variants' files while they compile (created by the first write; see <see cref="DeleteWorkDirectory"/>).</summary>
    public string WorkDirectory { get; } = WorkFolders.NewPath("variants");

    public void DeleteWorkDirectory() => WorkFolders.Delete(WorkDirectory);

    /// <summary>Set by the load pass.</summary>
    public ModelProto Model { get; set; } = null!;

    /// <summary>SHA-256 (lower-case hex) of the model file's bytes as the load pass read them.</summary>
    public string ModelSha256 { get; set; } = "";
    /// <summary>
    /// The ONNX file ONNX Runtime reads as the original model: the model file itself, or for a converted format
    /// (TensorFlow Lite) the converted model the load pass writes into <see cref="WorkDirectory"/>.
    /// </summary>
    public string OnnxSource { get; set; } = job.Model;

    /// <summary>Tensors stored beside the model, checked by the load pass.</summary>
    public IReadOnlyList<ExternalDataReference> ExternalData { get; set; } = [];

    /// <summary>Set by the plan pass, in canonical target order.</summary>
    public IReadOnlyList<CompiledVariant> Variants { get; set; } = [];

    /// <summary>Size of the source model with its external data: the "before" of every report line.</summary>
    public long OriginalSize { get; set; }

    /// <summary>How many sample input sets verification ran (0 before it ran).</summary>
    public int SampleCount { get; set; }

    /// <summary>A copy of the model with external tensors read in, for passes that rewrite or re-serialize it (not for large models).</summary>
    public ModelProto ModelWithData()
    {
        if (_weightsReleased)
        {
            throw new InvalidOperationException("The model's weights were released (ReleaseWeights): no pass after the variants are written may read them.");
        }
        if (_modelWithData is null)
        {
            _modelWithData = Model.Clone();
            if (ExternalData.Count > 0)
            {
                OnnxExternalData.LoadIntoModel(_modelWithData, ModelDirectory, Job.Model);
            }
        }
        return _modelWithData.Clone();
    }

    /// <summary>
    /// Once every variant is written (the quantize pass), drops the values of <see cref="Model"/>'s large floating-point
    /// weights (what the later passes read is the graph, shapes and small constants) and gives their memory back, so
    /// that ONNX Runtime's optimization and verification sessions do not run beside a managed copy of every weight.
    /// </summary>
    public void ReleaseWeights()
    {
        _weightsReleased = true;
        _modelWithData = null;
        foreach (TensorProto tensor in Model.Graph.Initializer)
        {
            if (tensor.RawData.Length >= MinReleasedWeightBytes && tensor.DataType is
                    (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Float16
                    or (int)TensorProto.Types.DataType.Bfloat16 or (int)TensorProto.Types.DataType.Double)
            {
                tensor.RawData = Google.Protobuf.ByteString.Empty;
            }
        }
        ManagedMemory.Release();
    }

    private const int MinReleasedWeightBytes = 64 * 1024;

    public CompilationException Fail(string code, string message) => new(code, Job.Model, message);
}
