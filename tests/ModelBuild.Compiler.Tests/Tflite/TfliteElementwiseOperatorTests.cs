using ModelBuild.Compiler.Tflite.Schema;
using static ModelBuild.Compiler.Tests.Tflite.ConvertedTflite;

namespace ModelBuild.Compiler.Tests.Tflite;

/// <summary>
/// Element-wise, reduction and cast operators common in vision and audio models, converted and run by ONNX Runtime
/// against the math TFLite's kernels define, computed here in double precision.
/// </summary>
public sealed class TfliteElementwiseOperatorTests
{
    private static readonly Random Random = new(1116);

    [Fact]
    public void Elementwise_operators_match_their_definitions()
    {
        float[] x = [.. Enumerable.Range(0, 2 * 3 * 4).Select(_ => (float)(Random.NextDouble() * 8 - 4))];
        float[] c = [-1.5f, 0.25f, 2f, -0.5f], alpha = [0.1f, -0.3f, 0.7f, 2f];
        var tflite = new HandMadeTflite();
        int input = tflite.Input("x", [2, 3, 4]);
        int constant = tflite.Floats("c", [4], c);
        int exp = tflite.Output("exp", [2, 3, 4]);
        int scaled = tflite.Tensor("scaled", [2, 3, 4]);
        var unary = new Dictionary<string, (BuiltinOperator Code, int Input, Func<double, double> Math)>
        {
            ["hard_swish"] = (BuiltinOperator.HARD_SWISH, input, v => v * Math.Clamp(v + 3, 0, 6) / 6),
            ["abs"] = (BuiltinOperator.ABS, input, Math.Abs),
            ["neg"] = (BuiltinOperator.NEG, input, v => -v),
            ["log"] = (BuiltinOperator.LOG, exp, v => v),
            ["sqrt"] = (BuiltinOperator.SQRT, exp, v => Math.Exp(v / 2)),
            ["rsqrt"] = (BuiltinOperator.RSQRT, exp, v => Math.Exp(-v / 2)),
        };
        var binary = new Dictionary<string, (BuiltinOperator Code, int Input, Func<double, double, double> Math)>
        {
            ["maximum"] = (BuiltinOperator.MAXIMUM, input, Math.Max),
            ["minimum"] = (BuiltinOperator.MINIMUM, input, Math.Min),
            ["squared_difference"] = (BuiltinOperator.SQUARED_DIFFERENCE, input, (v, k) => (v - k) * (v - k)),
            ["pow"] = (BuiltinOperator.POW, exp, (v, k) => Math.Exp(v * k)),
        };
        tflite.Operator(BuiltinOperator.EXP, [input], [exp]);
        foreach (var (name, op) in unary)
        {
            tflite.Operator(op.Code, [op.Input], [tflite.Output(name, [2, 3, 4])]);
        }
        foreach (var (name, op) in binary)
        {
            tflite.Operator(op.Code, [op.Input, constant], [tflite.Output(name, [2, 3, 4])]);
        }
        tflite.Operator(BuiltinOperator.PRELU, [input, tflite.Floats("alpha", [4], alpha)], [tflite.Output("prelu", [2, 3, 4])]);
        tflite.Operator(BuiltinOperator.MUL, [input, tflite.Floats("three", [], [3f])], [scaled], BuiltinOptions.MulOptions,
            b => MulOptions.CreateMulOptions(b).Value);
        tflite.Operator(BuiltinOperator.CAST, [scaled], [tflite.Output("cast", [2, 3, 4], TensorType.INT32)]);

        var outputs = RunAll(tflite, x, [2, 3, 4]);

        AssertClose([.. x.Select(v => (float)Math.Exp(v))], outputs["exp"], tolerance: 1e-3f);
        foreach (var (name, op) in unary)
        {
            AssertClose([.. x.Select(v => (float)op.Math(v))], outputs[name], tolerance: 1e-4f);
        }
        foreach (var (name, op) in binary)
        {
            AssertClose([.. x.Select((v, i) => (float)op.Math(v, c[i % 4]))], outputs[name], tolerance: 1e-3f);
        }
        AssertClose([.. x.Select((v, i) => v >= 0 ? v : v * alpha[i % 4])], outputs["prelu"], tolerance: 1e-6f);
        AssertClose([.. x.Select(v => (float)(int)(v * 3))], outputs["cast"], tolerance: 0); // TFLite casts toward zero
    }

    [Fact]
    public void Reductions_and_arg_min_match_their_definitions()
    {
        float[] x = [.. Enumerable.Range(0, 2 * 3 * 4).Select(_ => (float)(Random.NextDouble() * 2 - 1))];
        var tflite = new HandMadeTflite();
        int input = tflite.Input("x", [2, 3, 4]);
        tflite.Operator(BuiltinOperator.SUM, [input, tflite.Ints("sum_axes", [0, 2])], [tflite.Output("sum", [1, 3, 1])],
            BuiltinOptions.ReducerOptions, b => ReducerOptions.CreateReducerOptions(b, true).Value);
        tflite.Operator(BuiltinOperator.REDUCE_MAX, [input, tflite.Ints("max_axes", [1])], [tflite.Output("max", [2, 4])],
            BuiltinOptions.ReducerOptions, b => ReducerOptions.CreateReducerOptions(b, false).Value);
        tflite.Operator(BuiltinOperator.REDUCE_MIN, [input, tflite.Ints("min_axes", [-1])], [tflite.Output("min", [2, 3])],
            BuiltinOptions.ReducerOptions, b => ReducerOptions.CreateReducerOptions(b, false).Value);
        tflite.Operator(BuiltinOperator.ARG_MIN, [input, tflite.Ints("argmin_axis", [1])], [tflite.Output("argmin", [2, 4], TensorType.INT32)]);

        var outputs = RunAll(tflite, x, [2, 3, 4]);

        float At(int i, int j, int k) => x[(i * 3 + j) * 4 + k];
        AssertClose([.. from j in Range(3) select (from i in Range(2) from k in Range(4) select At(i, j, k)).Sum()], outputs["sum"]);
        AssertClose([.. from i in Range(2) from k in Range(4) select Range(3).Max(j => At(i, j, k))], outputs["max"], tolerance: 0);
        AssertClose([.. from i in Range(2) from j in Range(3) select Range(4).Min(k => At(i, j, k))], outputs["min"], tolerance: 0);
        AssertClose([.. from i in Range(2) from k in Range(4) select (float)Range(3).MinBy(j => At(i, j, k))], outputs["argmin"], tolerance: 0);
    }

    private static IEnumerable<int> Range(int count) => Enumerable.Range(0, count);
}
