using ModelBuild.Onnx.Protos;

namespace ModelBuild.EndToEnd.Tests.Conformance;

/// <summary>One backend test folder: its model, and each test_data_set_* read into inputs and reference outputs.</summary>
public sealed class BackendCase
{
    private BackendCase(string suite, string name, string directory, ModelProto model)
    {
        Suite = suite;
        Name = name;
        Directory = directory;
        Model = model;
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        Inputs = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
    }

    public string Suite { get; }

    public string Name { get; }

    public string Directory { get; }

    public string ModelPath => Path.Combine(Directory, "model.onnx");

    public ModelProto Model { get; }

    /// <summary>The graph inputs fed by input_*.pb, in order (inputs with an initializer are defaults).</summary>
    public IReadOnlyList<ValueInfoProto> Inputs { get; }

    /// <summary>A C# class name unique in the whole suite (also ignoring case): index and folder name.</summary>
    public string ClassName { get; private init; } = string.Empty;

    public static IEnumerable<BackendCase> Find(string dataRoot, IEnumerable<string> suites)
    {
        int index = 0;
        foreach (string suite in suites)
        {
            foreach (string dir in System.IO.Directory.EnumerateDirectories(Path.Combine(dataRoot, suite)).Order(StringComparer.Ordinal))
            {
                string modelPath = Path.Combine(dir, "model.onnx");
                if (!File.Exists(modelPath) || !System.IO.Directory.EnumerateDirectories(dir, "test_data_set_*").Any())
                {
                    continue;
                }

                string name = Path.GetFileName(dir);
                string identifier = new(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
                yield return new BackendCase(suite, name, dir, ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath)))
                {
                    ClassName = $"M{++index:D4}_{identifier}",
                };
            }
        }
    }

    /// <summary>Each data set's inputs (null: an omitted optional) and reference outputs, in graph order.</summary>
    public IEnumerable<(string DataSet, object?[] Inputs, object?[] Outputs)> DataSets()
    {
        foreach (string set in System.IO.Directory.EnumerateDirectories(Directory, "test_data_set_*").Order(StringComparer.Ordinal))
        {
            var inputs = new object?[Inputs.Count];
            for (int i = 0; i < inputs.Length; i++)
            {
                string file = Path.Combine(set, $"input_{i}.pb");
                inputs[i] = File.Exists(file) ? ProtoValues.Read(File.ReadAllBytes(file), Inputs[i].Type) : null;
            }

            var outputs = new object?[Model.Graph.Output.Count];
            for (int i = 0; i < outputs.Length; i++)
            {
                outputs[i] = ProtoValues.Read(File.ReadAllBytes(Path.Combine(set, $"output_{i}.pb")), Model.Graph.Output[i].Type);
            }

            yield return (Path.GetFileName(set), inputs, outputs);
        }
    }
}
