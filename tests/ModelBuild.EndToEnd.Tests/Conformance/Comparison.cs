using System.Collections;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.EndToEnd.Tests.Conformance;

/// <summary>
/// Compares an actual output with the reference: shapes and element types exactly, numbers within rtol 1e-3 and
/// atol 1e-7 (NaN equals NaN), strings and bools exactly; sequences element by element; null only with null.
/// </summary>
public static class Comparison
{
    private const double Rtol = 1e-3;
    private const double Atol = 1e-7;

    /// <summary>Null when equal, else why not.</summary>
    public static string? Difference(object? expected, object? actual)
    {
        if (expected is null || actual is null)
        {
            return expected is null && actual is null ? null : $"expected {(expected is null ? "no value" : "a value")}, got {(actual is null ? "none" : "one")}";
        }

        if (expected is TensorBase && actual is TensorBase)
        {
            return TensorDifference(expected, actual);
        }

        if (expected is IList expectedList && actual is IEnumerable actualItems && actual is not IDictionary)
        {
            var actualList = actualItems.Cast<object?>().ToList();
            if (expectedList.Count != actualList.Count)
            {
                return $"sequence of {actualList.Count}, expected {expectedList.Count}";
            }

            for (int i = 0; i < actualList.Count; i++)
            {
                if (Difference(expectedList[i], actualList[i]) is string d)
                {
                    return $"[{i}]: {d}";
                }
            }

            return null;
        }

        return $"{actual.GetType().Name} where {expected.GetType().Name} was expected";
    }

    private static string? TensorDifference(object expected, object actual)
    {
        if (expected.GetType() != actual.GetType())
        {
            return $"{actual.GetType().GenericTypeArguments[0].Name} elements, expected {expected.GetType().GenericTypeArguments[0].Name}";
        }

        int[] e = Dims(expected);
        int[] a = Dims(actual);
        if (!e.SequenceEqual(a))
        {
            return $"shape [{string.Join(", ", a)}], expected [{string.Join(", ", e)}]";
        }

        var ev = ((IEnumerable)expected).Cast<object>().ToArray();
        var av = ((IEnumerable)actual).Cast<object>().ToArray();
        for (int i = 0; i < ev.Length; i++)
        {
            if (!Close(ev[i], av[i]))
            {
                return $"element {i} is {Format(av[i])}, expected {Format(ev[i])}";
            }
        }

        return null;
    }

    private static int[] Dims(object tensor) => (int[])typeof(Comparison)
        .GetMethod(nameof(DimsOf), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
        .MakeGenericMethod(tensor.GetType().GenericTypeArguments[0]).Invoke(null, [tensor])!;

    private static int[] DimsOf<T>(Tensor<T> tensor) => tensor.Dimensions.ToArray();

    private static bool Close(object expected, object actual)
    {
        if (expected is string or bool)
        {
            return expected.Equals(actual);
        }

        double e = ToDouble(expected);
        double a = ToDouble(actual);
        if (double.IsNaN(e) || double.IsNaN(a))
        {
            return double.IsNaN(e) && double.IsNaN(a);
        }

        if (double.IsInfinity(e) || double.IsInfinity(a))
        {
            return e == a;
        }

        return Math.Abs(a - e) <= Atol + (Rtol * Math.Abs(e));
    }

    private static double ToDouble(object value) => value switch
    {
        Float16 h => (float)h,
        BFloat16 b => (float)b,
        _ => Convert.ToDouble(value, CultureInfo.InvariantCulture),
    };

    private static string Format(object value) => value is string s ? $"\"{s}\"" : Convert.ToString(ToDouble(value), CultureInfo.InvariantCulture)!;
}
