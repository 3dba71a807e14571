using System.Reflection;

namespace ModelBuild.EndToEnd.Tests.Conformance;

/// <summary>
/// Runs a case through the wrapper the SDK generated for it, loaded from the built library: <c>{C}.Load(path)</c>,
/// a <c>{C}Input</c> with one property per graph input (declaration order is graph order), <c>Run</c>, and the
/// <c>{C}Output</c> properties. Reflection only picks the members; the calls are the generated code's own.
/// </summary>
public sealed class TypedRunner(Assembly library, string binDirectory)
{
    public object?[] Run(BackendCase backendCase, object?[] inputs)
    {
        Type model = library.GetType($"Conformance.Models.{backendCase.ClassName}", throwOnError: true)!;
        Type inputType = library.GetType($"Conformance.Models.{backendCase.ClassName}Input", throwOnError: true)!;
        string asset = Path.Combine(binDirectory, "models", backendCase.ClassName, "cpu", "model.onnx");
        MethodInfo load = model.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == "Load" && m.GetParameters().Length == 2 && m.GetParameters()[0].ParameterType == typeof(string));
        using var instance = (IDisposable)Invoke(load, null, [asset, null])!;

        var input = Activator.CreateInstance(inputType)!;
        PropertyInfo[] properties = inputType.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        if (properties.Length != inputs.Length)
        {
            throw new UnsupportedCaseException($"the wrapper has {properties.Length} inputs, the test data {inputs.Length}");
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is object value && !properties[i].PropertyType.IsInstanceOfType(value))
            {
                throw new UnsupportedCaseException($"input {i} is a {value.GetType().Name}, the wrapper takes {properties[i].PropertyType.Name}");
            }

            properties[i].SetValue(input, inputs[i]);
        }

        using var output = (IDisposable)Invoke(model.GetMethod("Run")!, instance, [input])!;
        // The output properties other than none are views or copies; read them before the output is disposed.
        return output.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => Detach(p.GetValue(output)))
            .ToArray();
    }

    private static object? Invoke(MethodInfo method, object? target, object?[] args)
    {
        try
        {
            return method.Invoke(target, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    // Output tensors view native memory owned by the output object: copy them before it is disposed.
    private static object? Detach(object? value) => value switch
    {
        null => null,
        Microsoft.ML.OnnxRuntime.Tensors.TensorBase tensor => tensor.GetType().GetMethod("Clone", Type.EmptyTypes)!.Invoke(tensor, null),
        System.Collections.IEnumerable items and not string => items.Cast<object?>().Select(Detach).ToList(),
        _ => value,
    };
}
