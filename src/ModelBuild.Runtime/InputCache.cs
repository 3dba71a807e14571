namespace ModelBuild.Runtime;

/// <summary>
/// What the runs of one model reuse, so that a run with unchanged input shapes allocates no shape array. ONNX Runtime
/// copies a shape when it creates a value, so the last array used for an input serves again while that input's
/// dimensions stay the same. Arrays handed out are never changed: a racing thread sees either array whole.
/// </summary>
internal sealed class InputCache
{
    private readonly long[]?[] _lastShapes;

    public InputCache(IReadOnlyList<ValueDescription> inputs)
    {
        _lastShapes = new long[]?[inputs.Count];
        var symbols = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            foreach (var dim in input.Shape ?? [])
            {
                SymbolsRepeat |= dim.IsSymbolic && !symbols.Add(dim.Symbol!);
            }
        }
    }

    /// <summary>Gets whether a symbolic dimension appears more than once across the inputs, so sizes can disagree.</summary>
    public bool SymbolsRepeat { get; }

    /// <summary>Returns input <paramref name="index"/>'s shape as ONNX Runtime wants it. The array must not be changed.</summary>
    public long[] ShapeFor(int index, ReadOnlySpan<int> dims)
    {
        long[]? last = Volatile.Read(ref _lastShapes[index]);
        if (last is not null && Same(last, dims))
        {
            return last;
        }

        long[] shape = ToShape(dims);
        Volatile.Write(ref _lastShapes[index], shape);
        return shape;
    }

    /// <summary>A new shape array holding <paramref name="dims"/>.</summary>
    public static long[] ToShape(ReadOnlySpan<int> dims)
    {
        var shape = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            shape[i] = dims[i];
        }

        return shape;
    }

    private static bool Same(long[] shape, ReadOnlySpan<int> dims)
    {
        if (shape.Length != dims.Length)
        {
            return false;
        }

        for (int i = 0; i < dims.Length; i++)
        {
            if (shape[i] != dims[i])
            {
                return false;
            }
        }

        return true;
    }
}
