using System.Globalization;
using Contoso.Awkward;
using Microsoft.ML.OnnxRuntime.Tensors;
using SdkElementApp.Models;

// Exercises generated wrappers for models with awkward names, dynamic dims, external data and hostile doc strings.
// Prints results one per line; the end-to-end test checks them against ONNX Runtime called directly.
static string Join<T>(IEnumerable<T> values) => string.Join(" ", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));

using (var awkward = AwkwardNames.Load())
using (var output = awkward.Run(new AwkwardNamesInput
{
    Input1 = new DenseTensor<float>(new[] { 1.5f, -2f }, [2]),
    Class = new DenseTensor<long>(new[] { 3L, long.MaxValue }, [2]),
    Input0 = new DenseTensor<bool>(new[] { true, false }, [2]),
    AB0 = new DenseTensor<string>(new[] { "héllo", "wörld" }, [2]),
    FooBar = new DenseTensor<double>(new[] { 0.25, 1e300 }, [2]),
    FooBar2 = new DenseTensor<float>(new[] { 7f, 8f }, [2]),
}))
{
    Console.WriteLine($"awkward: {Join(output.Output1)} | {Join(output.Return)} | {Join(output.Output12)} | {Join(output.CD0)} | {Join(output.OutBar)} | {Join(output.OutBar2)}");
}

using (var dynamic = DynamicDims.Load())
{
    var x = new DenseTensor<float>(new[] { -1f, 2f, -3f, 4f, -5f, 6f }, [2, 3, 1]);
    var anything = new DenseTensor<float>(new[] { 9f }, [1, 1, 1, 1]);
    using var output = dynamic.Run(new DynamicDimsInput { X = x, Anything = anything });
    Console.WriteLine($"dynamic: {Join(output.Y)} | {Join(output.Y.Dimensions.ToArray())} | {Join(output.Same.Dimensions.ToArray())}");
    try
    {
        dynamic.Run(new DynamicDimsInput { X = new DenseTensor<float>([3, 1, 1]), Anything = anything }).Dispose();
        Console.WriteLine("shape check: none");
    }
    catch (ArgumentException e)
    {
        Console.WriteLine($"shape check: {e.Message}");
    }
}

using (var linear = LinearLayer.Load())
using (var output = await linear.RunAsync(new LinearLayerInput { X = new DenseTensor<float>(new[] { 1f, 2f, 3f, 4f, 0.5f, 0f, -1f, 2f }, [2, 4]) }))
{
    Console.WriteLine($"external: {Join(output.Y)}");
}

Console.WriteLine($"hostile: {HostileDoc.Description.Inputs.Count} input(s), {HostileDoc.Description.Outputs.Count} output(s)");
