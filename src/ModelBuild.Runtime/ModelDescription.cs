namespace ModelBuild.Runtime;

/// <summary>An operator set imported by a model (ONNX <c>OperatorSetIdProto</c>).</summary>
/// <param name="Domain">The operator set domain; the empty string is the default ONNX domain.</param>
/// <param name="Version">The operator set version.</param>
public sealed record OpsetImport(string Domain, long Version);

/// <summary>
/// One dimension of a tensor shape as declared by the model: a fixed size (<see cref="Value"/>), a named symbolic
/// size (<see cref="Symbol"/>, e.g. <c>batch</c>), or neither (any size).
/// </summary>
/// <param name="Value">The fixed size, or <see langword="null"/> when the dimension is not fixed.</param>
/// <param name="Symbol">The symbolic name, or <see langword="null"/> when the dimension has no name.</param>
public readonly record struct Dimension(long? Value, string? Symbol)
{
    /// <summary>Gets whether the dimension has a fixed size.</summary>
    public bool IsFixed => Value.HasValue;

    /// <summary>Gets whether the dimension is a named symbolic size (and not fixed).</summary>
    public bool IsSymbolic => !Value.HasValue && !string.IsNullOrEmpty(Symbol);

    /// <summary>Returns the size, the symbol name, or <c>?</c> for a dimension of any size.</summary>
    /// <returns>The text used in shape messages, e.g. <c>4</c> or <c>batch</c>.</returns>
    public override string ToString() =>
        Value is long v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : !string.IsNullOrEmpty(Symbol) ? Symbol
        : "?";
}

/// <summary>Describes one model input or output as recorded at build time.</summary>
public sealed class ValueDescription
{
    /// <summary>Creates the description of a tensor value.</summary>
    /// <param name="name">The ONNX value name, verbatim.</param>
    /// <param name="elementType">The element type name as written in the signature file (e.g. <c>float</c>, <c>int64</c>).</param>
    /// <param name="shape">The declared shape, or <see langword="null"/> when the rank is unknown.</param>
    /// <param name="docString">The ONNX doc string of the value.</param>
    public ValueDescription(string name, string elementType, IReadOnlyList<Dimension>? shape, string docString)
        : this(name, TypeDescription.Tensor(elementType, shape), docString)
    {
    }

    /// <summary>Creates the description of a value of any type.</summary>
    /// <param name="name">The ONNX value name, verbatim.</param>
    /// <param name="type">The value's type.</param>
    /// <param name="docString">The ONNX doc string of the value.</param>
    public ValueDescription(string name, TypeDescription type, string docString)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(type);
        Name = name;
        Type = type;
        DocString = docString ?? string.Empty;
    }

    /// <summary>Gets the ONNX value name, verbatim.</summary>
    public string Name { get; }

    /// <summary>Gets the value's type.</summary>
    public TypeDescription Type { get; }

    /// <summary>Gets whether the value may be absent (an ONNX optional type): such an input may be left out.</summary>
    public bool IsOptional => Type.Kind == ValueKind.Optional;

    /// <summary>
    /// Gets a tensor's element type name as written in the signature file (e.g. <c>float</c>, <c>int64</c>, <c>string</c>);
    /// for other kinds the whole type in ONNX notation (e.g. <c>sequence(tensor(float)[...])</c>).
    /// </summary>
    public string ElementType => Type.Kind == ValueKind.Tensor ? Type.ElementType : Type.ToString();

    /// <summary>Gets a tensor's declared shape; <see langword="null"/> means the rank is unknown (and for other kinds).</summary>
    public IReadOnlyList<Dimension>? Shape => Type.Shape;

    /// <summary>Gets the ONNX doc string of the value.</summary>
    public string DocString { get; }

    /// <summary>Returns the name and type, e.g. <c>features: float[batch, 4]</c>.</summary>
    /// <returns>A readable description.</returns>
    public override string ToString() =>
        Type.Kind == ValueKind.Tensor ? $"{Name}: {ElementType}{ShapeText.Format(Shape)}" : $"{Name}: {Type}";
}

/// <summary>
/// Everything the runtime knows about a model from build time: where its asset lives, its expected hash, and its
/// inputs and outputs. Generated code holds one static instance per model class.
/// </summary>
public sealed class ModelDescription
{
    /// <summary>Creates a model description.</summary>
    /// <param name="className">The generated class name.</param>
    /// <param name="modelFileName">The model file name.</param>
    /// <param name="assetPath">The first variant's model file path relative to the application base directory, e.g. <c>models/IrisClassifier/cpu/iris-classifier.onnx</c>.</param>
    /// <param name="sha256">The lower-case hex SHA-256 of the model file recorded at build time.</param>
    /// <param name="irVersion">The ONNX IR version.</param>
    /// <param name="opsetImports">The imported operator sets.</param>
    /// <param name="producerName">The producer name recorded in the model.</param>
    /// <param name="producerVersion">The producer version recorded in the model.</param>
    /// <param name="graphName">The main graph name.</param>
    /// <param name="docString">The model doc string.</param>
    /// <param name="inputs">The graph inputs, in order.</param>
    /// <param name="outputs">The graph outputs, in order.</param>
    /// <param name="variants">
    /// The compiled variants, in the build's target order; <see langword="null"/> means one portable variant
    /// (<c>cpu</c>, no quantization, CPU provider) at <paramref name="assetPath"/> with <paramref name="sha256"/>, which is
    /// what a model compiled without targets has.
    /// </param>
    /// <param name="modelVersion">The <c>ModelVersion</c> metadata of the <c>&lt;Model&gt;</c> item; empty when it has none.</param>
    /// <exception cref="ArgumentException"><paramref name="variants"/> is empty or holds a <see langword="null"/>.</exception>
    public ModelDescription(string className, string modelFileName, string assetPath, string sha256,
        long irVersion, IReadOnlyList<OpsetImport> opsetImports, string producerName, string producerVersion,
        string graphName, string docString, IReadOnlyList<ValueDescription> inputs, IReadOnlyList<ValueDescription> outputs,
        IReadOnlyList<ModelVariant>? variants = null, string? modelVersion = null)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(modelFileName);
        ArgumentNullException.ThrowIfNull(assetPath);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ClassName = className;
        ModelFileName = modelFileName;
        AssetPath = assetPath;
        Sha256 = sha256 ?? string.Empty;
        IrVersion = irVersion;
        OpsetImports = opsetImports ?? [];
        ProducerName = producerName ?? string.Empty;
        ProducerVersion = producerVersion ?? string.Empty;
        GraphName = graphName ?? string.Empty;
        DocString = docString ?? string.Empty;
        ModelVersion = modelVersion ?? string.Empty;
        Inputs = inputs;
        Outputs = outputs;
        if (variants is not null && (variants.Count == 0 || variants.Any(v => v is null)))
        {
            throw new ArgumentException("A model has at least one variant, and none is null.", nameof(variants));
        }

        Variants = variants ?? [new ModelVariant(ModelVariant.PortableTarget, "none", ModelVariant.CpuProvider, assetPath, Sha256)];
    }

    /// <summary>Gets the generated class name.</summary>
    public string ClassName { get; }

    /// <summary>Gets the model file name.</summary>
    public string ModelFileName { get; }

    /// <summary>Gets the path, relative to the application base directory, of the first variant's model file.</summary>
    public string AssetPath { get; }

    /// <summary>Gets the lower-case hex SHA-256 of the first variant's model file recorded at build time.</summary>
    public string Sha256 { get; }

    /// <summary>
    /// Gets the compiled variants (one per build target), in the build's target order; the first is the one
    /// <see cref="AssetPath"/> and <see cref="Sha256"/> describe.
    /// </summary>
    public IReadOnlyList<ModelVariant> Variants { get; }

    /// <summary>Gets the ONNX IR version.</summary>
    public long IrVersion { get; }

    /// <summary>Gets the imported operator sets.</summary>
    public IReadOnlyList<OpsetImport> OpsetImports { get; }

    /// <summary>Gets the producer name recorded in the model.</summary>
    public string ProducerName { get; }

    /// <summary>Gets the producer version recorded in the model.</summary>
    public string ProducerVersion { get; }

    /// <summary>Gets the main graph name.</summary>
    public string GraphName { get; }

    /// <summary>Gets the model doc string.</summary>
    public string DocString { get; }

    /// <summary>Gets the version the project gave the model (<c>ModelVersion</c> item metadata); empty when none.</summary>
    public string ModelVersion { get; }

    /// <summary>Gets the graph inputs, in order; <see cref="ModelInputs.Add{T}(int, Microsoft.ML.OnnxRuntime.Tensors.DenseTensor{T})"/> indexes into this list.</summary>
    public IReadOnlyList<ValueDescription> Inputs { get; }

    /// <summary>Gets the graph outputs, in order; <see cref="ModelResults.GetTensor{T}(int)"/> indexes into this list.</summary>
    public IReadOnlyList<ValueDescription> Outputs { get; }

    /// <summary>Gets what every run of this model reuses (created on first use).</summary>
    internal InputCache InputCache => field ??= new InputCache(Inputs);
}
