using System.Security.Cryptography;
using Google.Protobuf;
using ModelBuild.Onnx.Protos;
using ModelBuild.Runtime;
using static ModelBuild.Onnx.Protos.TensorProto.Types;

namespace ModelBuild.Runtime.Tests;

/// <summary>Tiny real ONNX models built with the generated protobuf classes, plus matching descriptions.</summary>
internal static class TestModels
{
    public static ValueInfoProto Value(string name, DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                int i => new TensorShapeProto.Types.Dimension { DimValue = i },
                long l => new TensorShapeProto.Types.Dimension { DimValue = l },
                string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                _ => throw new ArgumentException("dim"),
            });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    public static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + string.Join("_", outputs) };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static AttributeProto IntAttr(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static TensorProto FloatTensor(string name, float[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(data);
        return t;
    }

    public static TensorProto Int64Tensor(string name, long[] data, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
        t.Dims.AddRange(dims);
        t.Int64Data.AddRange(data);
        return t;
    }

    public static ModelProto Model(GraphProto graph, long opset = 13, string docString = "")
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "ModelBuild.Runtime.Tests",
            ProducerVersion = "1.0",
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    public static GraphProto Graph(string name, ValueInfoProto[] inputs, ValueInfoProto[] outputs, NodeProto[] nodes, params TensorProto[] initializers)
    {
        var g = new GraphProto { Name = name };
        g.Input.AddRange(inputs);
        g.Output.AddRange(outputs);
        g.Node.AddRange(nodes);
        g.Initializer.AddRange(initializers);
        return g;
    }

    // ---- concrete models ----------------------------------------------------------------------------------

    public static readonly float[] IrisWeights =
    [
        0.5f, -1.0f, 0.25f,
        1.5f, 0.5f, -0.75f,
        -2.0f, 0.125f, 1.0f,
        0.3f, -0.6f, 0.9f,
    ];

    public static readonly float[] IrisBias = [0.1f, -0.2f, 0.05f];

    /// <summary>features float [batch,4] → probabilities = Softmax(features·W + b) [batch,3], label = ArgMax int64 [batch].</summary>
    public static ModelProto Iris() => Model(Graph("iris",
        [Value("features", DataType.Float, "batch", 4)],
        [Value("probabilities", DataType.Float, "batch", 3), Value("label", DataType.Int64, "batch")],
        [
            Node("MatMul", ["features", "W"], ["logits0"]),
            Node("Add", ["logits0", "B"], ["logits"]),
            Node("Softmax", ["logits"], ["probabilities"], IntAttr("axis", 1)),
            Node("ArgMax", ["logits"], ["label"], IntAttr("axis", 1), IntAttr("keepdims", 0)),
        ],
        FloatTensor("W", IrisWeights, 4, 3), FloatTensor("B", IrisBias, 3)),
        docString: new string('a', 64));

    /// <summary>sum = a + b, both float [n, 3] (ONNX Runtime would broadcast [1,3] + [2,3] on its own).</summary>
    public static ModelProto AddTwo() => Model(Graph("add",
        [Value("a", DataType.Float, "n", 3), Value("b", DataType.Float, "n", 3)],
        [Value("sum", DataType.Float, "n", 3)],
        [Node("Add", ["a", "b"], ["sum"])]));

    /// <summary>y = Identity(x) for any element type, shape [n] or as given.</summary>
    public static ModelProto Identity(DataType type, params object[] dims) => Model(Graph("identity",
        [Value("x", type, dims)], [Value("y", type, dims)], [Node("Identity", ["x"], ["y"])]));

    /// <summary>
    /// y = x + (number of iterations) via a Loop whose trip count is 2^62: it runs for practically forever.
    /// </summary>
    public static ModelProto EndlessLoop()
    {
        var body = Graph("body",
            [Value("iter", DataType.Int64), Value("cond_in", DataType.Bool), Value("v_in", DataType.Float, 1)],
            [Value("cond_out", DataType.Bool), Value("v_out", DataType.Float, 1)],
            [
                Node("Identity", ["cond_in"], ["cond_out"]),
                Node("Add", ["v_in", "one"], ["v_out"]),
            ],
            FloatTensor("one", [1f], 1));
        var cond = new TensorProto { Name = "cond", DataType = (int)DataType.Bool };
        cond.Int32Data.Add(1);
        var loop = Node("Loop", ["trip", "cond", "x"], ["y"],
            new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
        return Model(Graph("endless",
            [Value("x", DataType.Float, 1)], [Value("y", DataType.Float, 1)],
            [loop],
            Int64Tensor("trip", [1L << 62]), cond));
    }

    // ---- files and descriptions ----------------------------------------------------------------------------

    public static string Write(ModelProto model, string directory, string fileName)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, fileName);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Builds the description the compiler would record for <paramref name="model"/>.</summary>
    public static ModelDescription Describe(ModelProto model, string assetPath, string sha256) => new(
        className: "Test" + model.Graph.Name,
        modelFileName: Path.GetFileName(assetPath),
        assetPath: assetPath,
        sha256: sha256,
        irVersion: model.IrVersion,
        opsetImports: model.OpsetImport.Select(o => new OpsetImport(o.Domain, o.Version)).ToArray(),
        producerName: model.ProducerName,
        producerVersion: model.ProducerVersion,
        graphName: model.Graph.Name,
        docString: model.DocString,
        inputs: model.Graph.Input.Select(DescribeValue).ToArray(),
        outputs: model.Graph.Output.Select(DescribeValue).ToArray());

    private static ValueDescription DescribeValue(ValueInfoProto v) => new(v.Name, DescribeType(v.Type), v.DocString);

    private static TypeDescription DescribeType(TypeProto type) => type.ValueCase switch
    {
        TypeProto.ValueOneofCase.TensorType => TypeDescription.Tensor(
            ElementName(type.TensorType.ElemType),
            type.TensorType.Shape?.Dim.Select(d => new Dimension(
                d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : null,
                d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : null)).ToArray()),
        TypeProto.ValueOneofCase.SequenceType => TypeDescription.Sequence(DescribeType(type.SequenceType.ElemType)),
        TypeProto.ValueOneofCase.MapType => TypeDescription.Map(ElementName(type.MapType.KeyType), DescribeType(type.MapType.ValueType)),
        TypeProto.ValueOneofCase.OptionalType => TypeDescription.Optional(DescribeType(type.OptionalType.ElemType)),
        var other => throw new ArgumentException($"type {other}"),
    };

    private static string ElementName(int type) => ((DataType)type) switch
    {
        DataType.Float16 => "float16",
        DataType.Bfloat16 => "bfloat16",
        var other => other.ToString().ToLowerInvariant(),
    };
}

/// <summary>A temporary folder holding a model written to its asset path, with its description.</summary>
internal sealed class ModelFixture : IDisposable
{
    public ModelFixture(ModelProto model, string? name = null)
    {
        Proto = model;
        BaseDirectory = Path.Combine(Path.GetTempPath(), "mbrt-" + Guid.NewGuid().ToString("N"));
        string assetPath = $"models/{model.Graph.Name}/{name ?? model.Graph.Name}.onnx";
        FullPath = TestModels.Write(model, Path.GetDirectoryName(Path.Combine(BaseDirectory, assetPath))!, Path.GetFileName(assetPath));
        Description = TestModels.Describe(model, assetPath, TestModels.Sha256(FullPath));
    }

    public ModelProto Proto { get; }
    public string BaseDirectory { get; }
    public string FullPath { get; }
    public ModelDescription Description { get; }

    public ModelSession Load(ModelOptions? options = null)
    {
        options ??= new ModelOptions();
        options.BaseDirectory ??= BaseDirectory;
        return ModelSession.Load(Description, null, options);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(BaseDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
