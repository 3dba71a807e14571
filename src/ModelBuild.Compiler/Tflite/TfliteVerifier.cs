namespace ModelBuild.Compiler.Tflite;

/// <summary>
/// Checks, before anything reads it, that every table, vector and string of a TFLite flatbuffer that the converter
/// reads lies inside the file (flatc 2.x writes no C# verifiers, so this walks tflite.fbs by hand). Field numbers are
/// positions in tflite.fbs (a union takes two: its type, then its value).
/// </summary>
internal static class TfliteVerifier
{
    /// <summary>More tables than a TFLite file of the size limit could hold, so a hostile file cannot make the walk slow.</summary>
    private const int MaxTables = 50_000_000;

    public static bool Verify(byte[] data)
    {
        var check = new FlatBufferChecker(data, MaxTables);
        long root = check.Root("TFL3");
        return root >= 0 && Model(check, root);
    }

    private static bool Model(FlatBufferChecker c, long t) =>
        c.Table(t) && c.Scalar(t, 0, 4) && c.Tables(t, 1, o => OperatorCode(c, o)) && c.Tables(t, 2, s => SubGraph(c, s))
        && c.Vector(t, 3, 1, isString: true) && c.Tables(t, 4, b => Buffer(c, b));

    private static bool OperatorCode(FlatBufferChecker c, long t) =>
        c.Table(t) && c.Scalar(t, 0, 1) && c.Vector(t, 1, 1, isString: true) && c.Scalar(t, 2, 4) && c.Scalar(t, 3, 4);

    private static bool SubGraph(FlatBufferChecker c, long t) =>
        c.Table(t) && c.Tables(t, 0, x => Tensor(c, x)) && c.Vector(t, 1, 4) && c.Vector(t, 2, 4)
        && c.Tables(t, 3, o => Operator(c, o)) && c.Vector(t, 4, 1, isString: true);

    private static bool Tensor(FlatBufferChecker c, long t) =>
        c.Table(t) && c.Vector(t, 0, 4) && c.Scalar(t, 1, 1) && c.Scalar(t, 2, 4) && c.Vector(t, 3, 1, isString: true)
        && c.Child(t, 4, q => Quantization(c, q)) && c.Scalar(t, 5, 1) && c.Vector(t, 7, 4) && c.Scalar(t, 8, 1);

    private static bool Quantization(FlatBufferChecker c, long t) =>
        c.Table(t) && c.Vector(t, 0, 4) && c.Vector(t, 1, 4) && c.Vector(t, 2, 4) && c.Vector(t, 3, 8) && c.Scalar(t, 4, 1) && c.Scalar(t, 6, 4);

    private static bool Operator(FlatBufferChecker c, long t) =>
        c.Table(t) && c.Scalar(t, 0, 4) && c.Vector(t, 1, 4) && c.Vector(t, 2, 4) && c.Scalar(t, 3, 1)
        && c.Child(t, 4, o => Options(c, c.Byte(t, 3), o)) && c.Vector(t, 5, 1);

    /// <summary>
    /// An options table: its vtable, the first byte of each of its (at most 8) scalar fields, and the vector of those
    /// that have one. Wider scalar reads stay bounds-checked by the runtime's ByteBuffer.
    /// </summary>
    private static bool Options(FlatBufferChecker c, byte type, long t) =>
        c.Table(t) && (Schema.BuiltinOptions)type switch
        {
            Schema.BuiltinOptions.ReshapeOptions or Schema.BuiltinOptions.SqueezeOptions => c.Vector(t, 0, 4),
            _ => Enumerable.Range(0, 8).All(field => c.Scalar(t, field, 1)),
        };

    private static bool Buffer(FlatBufferChecker c, long t) =>
        c.Table(t) && c.Vector(t, 0, 1) && c.Scalar(t, 1, 8) && c.Scalar(t, 2, 8);
}
