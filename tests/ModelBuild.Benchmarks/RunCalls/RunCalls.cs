namespace ModelBuild.Benchmarks;

/// <summary>
/// One run of a zoo model, four ways, to compare what each allocates (RunAllocationBenchmarks here; AllocationTests in
/// tests/ModelBuild.Runtime.Tests links these files): the generated wrapper, without and with reading every output,
/// and the hand-written ONNX Runtime code it replaces. Hand-written "OrtValue" is the leanest that ONNX Runtime's API
/// allows: values over the caller's arrays, names, shapes and the value array cached, one shared RunOptions, outputs
/// read as spans. Hand-written "NamedOnnxValue" is the API whose outputs are DenseTensor views, like the wrapper's.
/// Each call returns a number read from the outputs so that nothing is optimized away.
/// </summary>
public abstract class RunCalls : IDisposable
{
    /// <summary>The zoo models with a generated wrapper (Signatures/).</summary>
    public static IReadOnlyList<string> Models { get; } = ["iris-classifier", "text-classifier"];

    public static RunCalls Create(string model, ZooModelFiles files) => model switch
    {
        "iris-classifier" => new IrisRunCalls(files.Iris),
        "text-classifier" => new TextClassifierRunCalls(files.TextClassifier),
        _ => throw new ArgumentException($"No run calls for '{model}'.", nameof(model)),
    };

    /// <summary>The generated wrapper's Run; outputs left unread.</summary>
    public abstract void Typed();

    /// <summary>The generated wrapper's Run, reading every output property.</summary>
    public abstract float TypedReadOutputs();

    /// <summary>Hand-written: OrtValues over the input arrays, Run(names, values), outputs read as spans.</summary>
    public abstract float OrtValues();

    /// <summary>Hand-written: NamedOnnxValue inputs, Run, outputs read with AsTensor.</summary>
    public abstract float NamedOnnxValues();

    public abstract void Dispose();
}
