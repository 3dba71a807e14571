using ModelBuild.Compiler.Diagnostics;
using ModelBuild.Compiler.Passes;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests;

/// <summary>Each rule of the validate pass, broken by a small graph built here.</summary>
public sealed class ValidatePassTests
{
    private static readonly ModelBuild.Onnx.Protos.TensorShapeProto.Types.Dimension[] Vector = [Dim(2)];

    /// <summary>x → Relu → y: valid, the starting point every test breaks in one way.</summary>
    private static ModelProto Valid()
    {
        var graph = new GraphProto { Name = "g" };
        graph.Input.Add(Value("x", DataType.Float, Vector));
        graph.Output.Add(Value("y", DataType.Float, Vector));
        graph.Node.Add(Node("Relu", "relu", ["x"], ["y"]));
        return Model(graph);
    }

    private static CompilationException Fails(ModelProto model, string code)
    {
        var context = Context(model);
        var error = Assert.Throws<CompilationException>(() => new ValidatePass().Run(context));
        Assert.Equal(code, error.Code);
        Assert.Equal(context.Job.Model, error.FilePath);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    private static void Passes(ModelProto model) => new ValidatePass().Run(Context(model));

    private static CompilationContext Context(ModelProto model)
    {
        CompilationContext context = Jobs.Context(Jobs.For("/models/m.onnx", "/out"));
        context.Model = model;
        return context;
    }

    [Fact]
    public void A_valid_graph_passes() => Passes(Valid());

    [Fact]
    public void MB1020_no_outputs()
    {
        ModelProto model = Valid();
        model.Graph.Output.Clear();
        Fails(model, "MB1020");
    }

    [Fact]
    public void MB1021_duplicate_input_name()
    {
        ModelProto model = Valid();
        model.Graph.Input.Add(Value("x", DataType.Float, Vector));
        Assert.Contains("'x'", Fails(model, "MB1021").Message);
    }

    [Fact]
    public void MB1021_empty_input_name()
    {
        ModelProto model = Valid();
        model.Graph.Input.Add(Value("", DataType.Float, Vector));
        Fails(model, "MB1021");
    }

    [Fact]
    public void MB1021_duplicate_output_name()
    {
        ModelProto model = Valid();
        model.Graph.Output.Add(Value("y", DataType.Float, Vector));
        Fails(model, "MB1021");
    }

    [Fact]
    public void MB1022_node_reads_an_undefined_value()
    {
        ModelProto model = Valid();
        model.Graph.Node.Add(Node("Add", "add", ["y", "ghost"], ["z"]));
        Assert.Contains("'ghost'", Fails(model, "MB1022").Message);
    }

    [Fact]
    public void MB1022_node_reads_a_value_produced_only_by_a_later_node()
    {
        ModelProto model = Valid();
        model.Graph.Node.Insert(0, Node("Neg", "early", ["y"], ["z"]));
        Fails(model, "MB1022");
    }

    [Fact]
    public void Omitted_optional_inputs_are_allowed()
    {
        ModelProto model = Valid();
        model.Graph.Node.Add(Node("Clip", "clip", ["y", "", ""], ["z"]));
        Passes(model);
    }

    private static ModelProto WithIf(string thenReads)
    {
        ModelProto model = Valid();
        model.Graph.Input.Add(Value("cond", DataType.Bool, []));
        var branch = new GraphProto { Name = "then" };
        branch.Output.Add(Value("b", DataType.Float, Vector));
        branch.Node.Add(Node("Identity", "inner", [thenReads], ["b"]));
        var elseBranch = new GraphProto { Name = "else" };
        elseBranch.Output.Add(Value("e", DataType.Float, Vector));
        elseBranch.Node.Add(Node("Identity", "inner_else", ["x"], ["e"]));
        var node = Node("If", "if", ["cond"], ["branch_out"],
            new AttributeProto { Name = "then_branch", Type = AttributeProto.Types.AttributeType.Graph, G = branch },
            new AttributeProto { Name = "else_branch", Type = AttributeProto.Types.AttributeType.Graph, G = elseBranch });
        model.Graph.Node.Add(node);
        return model;
    }

    [Fact]
    public void MB1022_inside_an_If_subgraph()
    {
        Assert.Contains("'nowhere'", Fails(WithIf("nowhere"), "MB1022").Message);
    }

    [Fact]
    public void Subgraph_may_read_a_defined_outer_value()
    {
        Passes(WithIf("x"));   // a graph input of the outer graph
        Passes(WithIf("y"));   // produced by an earlier outer node
    }

    [Fact]
    public void MB1022_subgraph_reads_an_outer_value_produced_after_the_If()
    {
        ModelProto model = WithIf("late");
        model.Graph.Node.Add(Node("Neg", "late_node", ["x"], ["late"]));
        Fails(model, "MB1022");
    }

    [Fact]
    public void MB1022_in_a_graphs_attribute_subgraph()
    {
        ModelProto model = Valid();
        var body = new GraphProto { Name = "body" };
        body.Output.Add(Value("o", DataType.Float, Vector));
        body.Node.Add(Node("Identity", "inner", ["missing"], ["o"]));
        var attribute = new AttributeProto { Name = "bodies", Type = AttributeProto.Types.AttributeType.Graphs };
        attribute.Graphs.Add(body);
        model.Graph.Node.Add(Node("Custom", "custom", ["y"], ["z"], attribute));
        Fails(model, "MB1022");
    }

    [Fact]
    public void Subgraph_values_do_not_leak_into_the_outer_graph()
    {
        ModelProto model = WithIf("x");
        model.Graph.Node.Add(Node("Neg", "after", ["b"], ["z"]));   // "b" exists only inside then_branch
        Fails(model, "MB1022");
    }

    [Fact]
    public void MB1023_output_not_produced()
    {
        ModelProto model = Valid();
        model.Graph.Output.Add(Value("unproduced", DataType.Float, Vector));
        Assert.Contains("'unproduced'", Fails(model, "MB1023").Message);
    }

    [Fact]
    public void Outputs_may_be_inputs_or_initializers()
    {
        ModelProto model = Valid();
        model.Graph.Output.Add(Value("x", DataType.Float, Vector));
        model.Graph.Initializer.Add(Floats("w", [2], [1f, 2f]));
        model.Graph.Output.Add(Value("w", DataType.Float, Vector));
        Passes(model);
    }

    [Fact]
    public void MB1024_no_default_domain_opset()
    {
        ModelProto model = Valid();
        model.OpsetImport.Clear();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        Fails(model, "MB1024");
    }

    [Fact]
    public void Ai_onnx_domain_counts_as_default()
    {
        ModelProto model = Valid();
        model.OpsetImport.Clear();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx", Version = 13 });
        Passes(model);
    }

    [Fact]
    public void MB1025_ir_version_too_new()
    {
        ModelProto model = Valid();
        model.IrVersion = ValidatePass.MaxIrVersion + 1;
        Assert.Contains((ValidatePass.MaxIrVersion + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), Fails(model, "MB1025").Message);

        model.IrVersion = ValidatePass.MaxIrVersion;
        Passes(model);
    }

    [Theory]
    [InlineData("MB1021")]
    [InlineData("MB1022")]
    [InlineData("MB1023")]
    public void Hostile_names_are_shown_escaped_on_one_line(string code)
    {
        const string hostile = "evil\nname\u2028more\r\u0085end";
        ModelProto model = Valid();
        switch (code)
        {
            case "MB1021":
                model.Graph.Input.Add(Value(hostile, DataType.Float, Vector));
                model.Graph.Input.Add(Value(hostile, DataType.Float, Vector));
                break;
            case "MB1022":
                model.Graph.Node.Add(Node("Neg", hostile, [hostile], ["z"]));
                break;
            default:
                model.Graph.Output.Add(Value(hostile, DataType.Float, Vector));
                break;
        }

        string message = Fails(model, code).Message;

        Assert.Contains(@"'evil\u000aname\u2028more\u000d\u0085end'", message);
        foreach (char c in "\n\r\u2028\u2029\u0085")
        {
            Assert.DoesNotContain(c, message);
        }
    }

    [Fact]
    public void Hostile_name_stays_on_one_line_in_human_output()
    {
        using var temp = new TempFolder();
        ModelProto model = Valid();
        model.Graph.Output.Add(Value("a\nerror XX0001: fake\u2028b", DataType.Float, Vector));
        string file = temp.File("hostile.onnx");
        OnnxModelWriter.WriteFile(model, file);

        var (ok, lines) = Jobs.Run(Jobs.For(file, temp.File("out")), forMsBuild: false);

        Assert.False(ok);
        string line = Assert.Single(lines);
        Assert.StartsWith($"error MB1023: {file}: ", line);
        Assert.Contains(@"'a\u000aerror XX0001: fake\u2028b'", line);
        Assert.DoesNotContain('\u2028', line);
    }

    [Fact]
    public void MB1031_negative_input_dimension()
    {
        ModelProto model = Valid();
        model.Graph.Input[0] = Value("x", DataType.Float, [Dim(-5)]);
        Assert.Contains("-5", Fails(model, "MB1031").Message);
    }

    [Fact]
    public void MB1031_negative_dimension_inside_a_sequence_output()
    {
        ModelProto model = Valid();
        var element = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float, Shape = new TensorShapeProto() } };
        element.TensorType.Shape.Dim.Add(Dim(-1));
        model.Graph.Output.Add(new ValueInfoProto { Name = "s", Type = new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = element } } });
        model.Graph.Node.Add(Node("SequenceEmpty", "empty", [], ["s"]));
        Fails(model, "MB1031");
    }

    [Fact]
    public void MB1032_NUL_in_an_input_name()
    {
        ModelProto model = Valid();
        model.Graph.Input[0] = Value("x\0y", DataType.Float, Vector);
        model.Graph.Node[0].Input[0] = "x\0y";
        Assert.Contains("NUL", Fails(model, "MB1032").Message);
    }

    [Theory]
    [InlineData(-4L, 4L)]
    [InlineData(1L << 32, 1L << 32)]
    public void MB1033_initializer_dims_that_are_negative_or_overflow(long rows, long columns)
    {
        ModelProto model = Valid();
        model.Graph.Initializer.Add(new TensorProto { Name = "w", DataType = (int)DataType.Float, Dims = { rows, columns } });
        Fails(model, "MB1033");
    }
}
