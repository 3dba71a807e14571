using Google.FlatBuffers;
using ModelBuild.Compiler.Tflite.Schema;

namespace ModelBuild.Compiler.Tflite;

/// <summary>
/// Checks, before anything reads it, that every table, vector and string of a TFLite flatbuffer that the converter
/// reads lies inside the file (flatc 2.x writes no C# verifiers, so this walks the schema by hand with the
/// runtime's <see cref="Verifier"/>). Field ids are vtable slots: 4 + 2 × the field's position in tflite.fbs.
/// </summary>
internal static class TfliteVerifier
{
    /// <summary>Fewer tables than any TFLite file this size could need, so a hostile file cannot make the walk slow.</summary>
    private const int MaxTables = 10_000_000;

    public static bool Verify(ByteBuffer buffer)
    {
        var verifier = new Verifier(buffer, new Options(maxDepth: 16, maxTables: MaxTables, stringEndCheck: true, alignmentCheck: false));
        return verifier.VerifyBuffer("TFL3", false, Model);
    }

    private static short Slot(int field) => (short)(4 + 2 * field);

    private static bool Model(Verifier v, uint table) =>
        v.VerifyTableStart(table)
        && v.VerifyField(table, Slot(0), 4, 4, false)
        && v.VerifyVectorOfTables(table, Slot(1), OperatorCode, false)
        && v.VerifyVectorOfTables(table, Slot(2), SubGraph, false)
        && v.VerifyString(table, Slot(3), false)
        && v.VerifyVectorOfTables(table, Slot(4), Buffer, false)
        && v.VerifyTableEnd(table);

    private static bool OperatorCode(Verifier v, uint table) =>
        v.VerifyTableStart(table)
        && v.VerifyField(table, Slot(0), 1, 1, false)
        && v.VerifyString(table, Slot(1), false)
        && v.VerifyField(table, Slot(2), 4, 4, false)
        && v.VerifyField(table, Slot(3), 4, 4, false)
        && v.VerifyTableEnd(table);

    private static bool SubGraph(Verifier v, uint table) =>
        v.VerifyTableStart(table)
        && v.VerifyVectorOfTables(table, Slot(0), Tensor, false)
        && v.VerifyVectorOfData(table, Slot(1), 4, false)
        && v.VerifyVectorOfData(table, Slot(2), 4, false)
        && v.VerifyVectorOfTables(table, Slot(3), Operator, false)
        && v.VerifyString(table, Slot(4), false)
        && v.VerifyTableEnd(table);

    private static bool Tensor(Verifier v, uint table) =>
        v.VerifyTableStart(table)
        && v.VerifyVectorOfData(table, Slot(0), 4, false)
        && v.VerifyField(table, Slot(1), 1, 1, false)
        && v.VerifyField(table, Slot(2), 4, 4, false)
        && v.VerifyString(table, Slot(3), false)
        && v.VerifyTable(table, Slot(4), Quantization, false)
        && v.VerifyField(table, Slot(5), 1, 1, false)
        && v.VerifyVectorOfData(table, Slot(7), 4, false)
        && v.VerifyField(table, Slot(8), 1, 1, false)
        && v.VerifyTableEnd(table);

    private static bool Quantization(Verifier v, uint table) =>
        v.VerifyTableStart(table)
        && v.VerifyVectorOfData(table, Slot(0), 4, false)
        && v.VerifyVectorOfData(table, Slot(1), 4, false)
        && v.VerifyVectorOfData(table, Slot(2), 4, false)
        && v.VerifyVectorOfData(table, Slot(3), 8, false)
        && v.VerifyField(table, Slot(4), 1, 1, false)
        && v.VerifyField(table, Slot(6), 4, 4, false)
        && v.VerifyTableEnd(table);

    private static bool Operator(Verifier v, uint table) =>
        v.VerifyTableStart(table)
        && v.VerifyField(table, Slot(0), 4, 4, false)
        && v.VerifyVectorOfData(table, Slot(1), 4, false)
        && v.VerifyVectorOfData(table, Slot(2), 4, false)
        && v.VerifyUnion(table, Slot(3), Slot(4), Options, false)
        && v.VerifyVectorOfData(table, Slot(5), 1, false)
        && v.VerifyTableEnd(table);

    /// <summary>Every options table: its vtable and its (at most 8) scalar fields, and the vectors of the ones that have them.</summary>
    private static bool Options(Verifier v, byte type, uint table)
    {
        if (!v.VerifyTableStart(table))
        {
            return false;
        }
        bool ok = (BuiltinOptions)type switch
        {
            BuiltinOptions.ReshapeOptions or BuiltinOptions.SqueezeOptions => v.VerifyVectorOfData(table, Slot(0), 4, false),
            _ => Enumerable.Range(0, 8).All(field => v.VerifyField(table, Slot(field), 1, 1, false)),
        };
        return ok && v.VerifyTableEnd(table);
    }

    private static bool Buffer(Verifier v, uint table) =>
        v.VerifyTableStart(table)
        && v.VerifyVectorOfData(table, Slot(0), 1, false)
        && v.VerifyField(table, Slot(1), 8, 8, false)
        && v.VerifyField(table, Slot(2), 8, 8, false)
        && v.VerifyTableEnd(table);
}
