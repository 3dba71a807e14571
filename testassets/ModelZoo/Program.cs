using ModelBuild.Onnx;
using ModelZoo;

// ModelZoo <folder> [name...]: writes the named models (all of Zoo.Names by default; large ones only by name) into <folder>.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: ModelZoo <folder> [name...]");
    Console.Error.WriteLine($"names: {string.Join(" ", Zoo.Names)}");
    Console.Error.WriteLine($"large (only by name): {string.Join(" ", Zoo.LargeNames)}");
    return args.Length == 0 ? 2 : 0;
}

string folder = args[0];
string[] names = args.Length > 1 ? args[1..] : [.. Zoo.Names];
try
{
    foreach (string name in names)
    {
        Zoo.Write(name, folder);
        Console.WriteLine($"wrote {Path.Combine(folder, name.EndsWith(".onnx", StringComparison.Ordinal) ? name : name + ".onnx")}");
    }

    return 0;
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}
catch (Exception ex) when (ex is ModelBuildException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
