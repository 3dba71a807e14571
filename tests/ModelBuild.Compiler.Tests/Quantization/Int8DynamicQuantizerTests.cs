using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Quantization;

public sealed class Int8DynamicQuantizerTests
{
    private const double MinCosine = 0.999;

    /// <summary>
    /// Full-range weights saturate ORT's u8×s8 kernel on x64 CPUs without VNNI (vpmaddubsw sums pairs in int16):
    /// measured cosine 0.98 on this project's AVX2-only build machine, 0.999+ with reduced range or VNNI.
    /// </summary>
    private static double MinCosineFor(Int8WeightRange range) =>
        range != Int8WeightRange.Full || HasVnni.Value ? MinCosine : 0.97;

    private static readonly Lazy<bool> HasVnni = new(() =>
        !System.Runtime.Intrinsics.X86.Avx2.IsSupported
        || (File.Exists("/proc/cpuinfo") && File.ReadAllText("/proc/cpuinfo").Contains("vnni", StringComparison.Ordinal)));

    private static (ModelProto Quantized, QuantizationResult Result) Quantize(ModelProto model, Int8WeightRange range = Int8WeightRange.Reduced)
    {
        ModelProto clone = model.Clone();
        return (clone, Int8DynamicQuantizer.Apply(clone, range));
    }

    internal static List<string> Ops(GraphProto graph) => graph.Node.Select(n => n.OpType).ToList();

    private static TensorProto Initializer(GraphProto graph, string name) => Assert.Single(graph.Initializer, t => t.Name == name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MatMul_add_and_gemm_become_DynamicQuantizeMatMul_with_bias_folded(bool reduced)
    {
        var range = reduced ? Int8WeightRange.Reduced : Int8WeightRange.Full;
        ModelProto model = TestModels.Mlp();
        var (quantized, result) = Quantize(model, range);

        Assert.Equal(3, result.QuantizedNodes);
        Assert.Equal(0, result.KeptNodes);
        var graph = quantized.Graph;
        Assert.Equal(["DynamicQuantizeMatMul", "Relu", "DynamicQuantizeMatMul", "Tanh", "DynamicQuantizeMatMul"], Ops(graph));
        Assert.All(graph.Node.Where(n => n.OpType == "DynamicQuantizeMatMul"), n => Assert.Equal("com.microsoft", n.Domain));
        Assert.Contains(quantized.OpsetImport, o => o.Domain == "com.microsoft" && o.Version == 1);

        // fc1: Add folded, its bias referenced as it is; MatMul's intermediate value and its value_info are gone.
        var fc1 = graph.Node[0];
        Assert.Equal(["x", "W1_int8", "W1_int8_scale", "", "b1"], fc1.Input);
        Assert.Equal(["h1"], fc1.Output);
        Assert.DoesNotContain(graph.ValueInfo, v => v.Name == "mm1");

        // fc2 (Gemm transB=1): weight stored [K, N] = [128, 96], bias = beta·C as a new tensor.
        var fc2 = graph.Node[2];
        Assert.Equal(["r1", "W2_int8", "W2_int8_scale", "", "C2_bias"], fc2.Input);
        Assert.Equal([128L, 96L], Initializer(graph, "W2_int8").Dims);

        var w1 = Initializer(graph, "W1_int8");
        Assert.Equal((int)DataType.Int8, w1.DataType);
        Assert.Equal([64L, 128L], w1.Dims);
        Assert.Equal(64 * 128, w1.RawData.Length);
        Assert.Equal([128L], Initializer(graph, "W1_int8_scale").Dims);
        int qmax = range == Int8WeightRange.Full ? 127 : 63;
        Assert.Equal(qmax, w1.RawData.Span.ToArray().Max(b => Math.Abs((int)(sbyte)b)));

        // fp32 weights and biases no longer read are gone; b1 is still read by the new node.
        Assert.Equal(["b1", "W1_int8", "W1_int8_scale", "W2_int8", "W2_int8_scale", "C2_bias", "W3_int8", "W3_int8_scale"],
            graph.Initializer.Select(t => t.Name));

        double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(11, ("x", [16, 64])));
        Assert.True(cosine >= MinCosineFor(range), $"cosine {cosine}");
    }

    [Fact]
    public void Unsigned_weights_are_uint8_with_a_zero_point_per_column_and_stay_close()
    {
        ModelProto model = TestModels.Mlp();
        var (quantized, result) = Quantize(model, Int8WeightRange.Unsigned);

        Assert.Equal(3, result.QuantizedNodes);
        var graph = quantized.Graph;
        Assert.Equal(["DynamicQuantizeMatMul", "Relu", "DynamicQuantizeMatMul", "Tanh", "DynamicQuantizeMatMul"], Ops(graph));
        Assert.Equal(["x", "W1_uint8", "W1_uint8_scale", "W1_uint8_zero_point", "b1"], graph.Node[0].Input);
        Assert.Equal(["r1", "W2_uint8", "W2_uint8_scale", "W2_uint8_zero_point", "C2_bias"], graph.Node[2].Input);
        Assert.Equal(["t", "W3_uint8", "W3_uint8_scale", "W3_uint8_zero_point"], graph.Node[4].Input); // no bias: zero point last

        var w1 = Initializer(graph, "W1_uint8");
        Assert.Equal((int)DataType.Uint8, w1.DataType);
        Assert.Equal([64L, 128L], w1.Dims);
        var zeroPoint = Initializer(graph, "W1_uint8_zero_point");
        Assert.Equal((int)DataType.Uint8, zeroPoint.DataType);
        Assert.Equal([128L], zeroPoint.Dims);
        Assert.Equal([128L], Initializer(graph, "W1_uint8_scale").Dims);

        // All 8 bits are used: every column of a weight with both signs spans codes 0 to about 255.
        byte[] codes = w1.RawData.ToByteArray();
        for (int col = 0; col < 128; col++)
        {
            var column = Enumerable.Range(0, 64).Select(row => codes[row * 128 + col]).ToList();
            Assert.Equal(0, column.Min());
            Assert.InRange(column.Max(), 254, 255);
        }

        double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(11, ("x", [16, 64])));
        Assert.True(cosine >= MinCosine, $"cosine {cosine}");
    }

    [Fact]
    public void Unsigned_codes_dequantize_within_half_a_step_and_zero_is_exact()
    {
        float[] w = [-1f, 0f, 0.5f, 2f, 0f, 0f, 3f, 0f, 0.25f]; // [3, 3] columns: mixed signs, all zero, positives only
        var (values, scales, zeroPoints) = Int8DynamicQuantizer.QuantizeUnsigned(w, 3, 3);
        for (int i = 0; i < w.Length; i++)
        {
            int col = i % 3;
            float back = scales[col] * (values[i] - zeroPoints[col]);
            Assert.True(MathF.Abs(back - w[i]) <= scales[col] / 2 + 1e-6f, $"element {i}: {back} vs {w[i]}");
            if (w[i] == 0f) Assert.Equal(0f, back);
        }

        Assert.Equal(1f, scales[1]);
        Assert.Equal(0, zeroPoints[1]);
        Assert.Equal(0, values[0]); // the column minimum maps to code 0, the maximum to 255
        Assert.Equal(255, values[6]);
        Assert.Equal(0, zeroPoints[2]); // range widened to include 0
    }

    [Fact]
    public void Quantized_model_is_about_a_quarter_of_the_size()
    {
        ModelProto model = TestModels.Mlp();
        var (quantized, _) = Quantize(model);
        double ratio = (double)OnnxModelWriter.Serialize(quantized).Length / OnnxModelWriter.Serialize(model).Length;
        Assert.InRange(ratio, 0.2, 0.3);
    }

    [Fact]
    public void Gemm_with_row_bias_is_folded_and_full_bias_or_transA_is_kept()
    {
        ModelProto model = TestModels.Gemms();
        var (quantized, result) = Quantize(model);

        Assert.Equal(1, result.QuantizedNodes);
        Assert.Equal(2, result.KeptNodes);
        Assert.Contains(result.KeptReasons, r => r.Contains("'full'", StringComparison.Ordinal) && r.Contains("not one row", StringComparison.Ordinal));
        Assert.Contains(result.KeptReasons, r => r.Contains("'transA'", StringComparison.Ordinal) && r.Contains("transA=1", StringComparison.Ordinal));
        Assert.Equal(["DynamicQuantizeMatMul", "Gemm", "Transpose", "Gemm"], Ops(quantized.Graph));
        // W is still read by the kept Gemm: the fp32 copy stays next to the int8 one.
        Assert.Contains(quantized.Graph.Initializer, t => t.Name == "W");
        Assert.DoesNotContain(quantized.Graph.Initializer, t => t.Name == "C_row");

        double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(12, ("x", [4, 64])));
        Assert.True(cosine >= MinCosine, $"cosine {cosine}");
    }

    [Fact]
    public void Constant_node_weights_at_opset_9_become_initializers_and_the_constants_are_removed()
    {
        ModelProto model = TestModels.ConstantWeights();
        var (quantized, result) = Quantize(model);

        Assert.Equal(1, result.QuantizedNodes);
        var graph = quantized.Graph;
        Assert.Equal(["Constant", "DynamicQuantizeMatMul"], Ops(graph));
        Assert.Equal(["b"], graph.Node[0].Output); // the bias Constant is read by the new node
        Assert.Equal(["x", "w_int8", "w_int8_scale", "", "b"], graph.Node[1].Input);
        Assert.Equal(["w_int8", "w_int8_scale"], graph.Initializer.Select(t => t.Name));
        Assert.Contains(quantized.OpsetImport, o => o.Domain == "" && o.Version == 9);

        double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(13, ("x", [2, 64])));
        Assert.True(cosine >= MinCosine, $"cosine {cosine}");
    }

    [Fact]
    public void Weights_in_if_branches_and_outer_scope_weights_read_from_a_branch_are_quantized_once()
    {
        ModelProto model = TestModels.IfSubgraph();
        var (quantized, result) = Quantize(model);

        Assert.Equal(4, result.QuantizedNodes);
        var graph = quantized.Graph;
        var branch = graph.Node.Single(n => n.OpType == "If");
        var then = branch.Attribute.Single(a => a.Name == "then_branch").G;
        var otherwise = branch.Attribute.Single(a => a.Name == "else_branch").G;

        // The outer W: one int8 copy in the main graph, read by the main MatMul and from the then-branch.
        Assert.Equal(["W_int8", "W_int8_scale"], graph.Initializer.Select(t => t.Name));
        Assert.Equal(["x", "W_int8", "W_int8_scale"], graph.Node.Single(n => n.Name == "main_fc_int8").Input);
        Assert.Equal(["x", "W_int8", "W_int8_scale"], Assert.Single(then.Node).Input);
        Assert.Empty(then.Initializer);

        // The else-branch's own initializer and Constant-node weight are quantized in the branch.
        Assert.Equal(["DynamicQuantizeMatMul", "DynamicQuantizeMatMul"], Ops(otherwise));
        Assert.Equal(["W_else_int8", "W_else_int8_scale", "W_else2_int8", "W_else2_int8_scale"], otherwise.Initializer.Select(t => t.Name));

        foreach (bool cond in new[] { true, false })
        {
            var flag = NamedOnnxValue.CreateFromTensor("cond", new DenseTensor<bool>(new[] { cond }, []));
            double cosine = Ort.Compare(model, quantized, Ort.RandomInputs(14, ("x", [2, 64])), [flag]);
            Assert.True(cosine >= MinCosine, $"cond {cond}: cosine {cosine}");
        }
    }

    [Fact]
    public void Shared_weight_is_quantized_once_and_its_fp32_copy_goes()
    {
        ModelProto model = TestModels.SharedWeight(withGather: false);
        var (quantized, result) = Quantize(model);

        Assert.Equal(2, result.QuantizedNodes);
        Assert.Equal(["W_int8", "W_int8_scale"], quantized.Graph.Initializer.Select(t => t.Name));
        Assert.All(quantized.Graph.Node.Where(n => n.OpType == "DynamicQuantizeMatMul"), n => Assert.Equal("W_int8", n.Input[1]));
        Assert.True(Ort.Compare(model, quantized, Ort.RandomInputs(15, ("x", [3, 64]))) >= MinCosine);
    }

    [Fact]
    public void Shared_weight_also_read_by_another_op_keeps_its_fp32_copy()
    {
        ModelProto model = TestModels.SharedWeight(withGather: true);
        var (quantized, result) = Quantize(model);

        Assert.Equal(2, result.QuantizedNodes);
        Assert.Equal(["W", "rows", "W_int8", "W_int8_scale"], quantized.Graph.Initializer.Select(t => t.Name));
        Assert.Equal(["W", "rows"], quantized.Graph.Node.Single(n => n.OpType == "Gather").Input);
        Assert.True(Ort.Compare(model, quantized, Ort.RandomInputs(16, ("x", [3, 64]))) >= MinCosine);
    }

    [Fact]
    public void Tiny_weights_stay_fp32_with_a_reason()
    {
        ModelProto model = TestModels.TinyWeight();
        var (quantized, result) = Quantize(model);

        Assert.Equal(1, result.QuantizedNodes);
        Assert.Equal(2, result.KeptNodes);
        Assert.Contains("MatMul 'small': weight too small (64 elements)", result.KeptReasons);
        Assert.Contains("MatMul 'wide': weight too small (512 elements)", result.KeptReasons);
        Assert.Equal(["MatMul", "MatMul", "DynamicQuantizeMatMul"], Ops(quantized.Graph));
        Assert.Contains(quantized.Graph.Initializer, t => t.Name == "W_tiny" && t.DataType == (int)DataType.Float);
        Assert.True(Ort.Compare(model, quantized, Ort.RandomInputs(17, ("x", [2, 8]))) >= MinCosine);
    }

    [Fact]
    public void Model_without_weights_is_unchanged_and_gets_no_contrib_opset()
    {
        ModelProto model = ModelZoo.Models.IrisClassifierModel.Build(); // 4x16 and 16x3: both tiny
        var (quantized, result) = Quantize(model);
        Assert.Equal(0, result.QuantizedNodes);
        Assert.Equal(OnnxModelWriter.Serialize(model), OnnxModelWriter.Serialize(quantized));
    }

    [Fact]
    public void Conv_nodes_are_left_to_the_static_quantizer()
    {
        var graph = new GraphProto { Name = "conv" };
        graph.Input.Add(TestModels.FloatValue("x", 1, 3, 8, 8));
        graph.Output.Add(TestModels.FloatValue("y", 1, 4, 6, 6));
        graph.Initializer.Add(TestModels.Weight("k", 1, 4, 3, 3, 3));
        graph.Node.Add(ModelZoo.OnnxBuilder.Node("Conv", "c1", ["x", "k"], ["y"]));
        var (quantized, result) = Quantize(ModelZoo.OnnxBuilder.Model(graph));
        Assert.Equal(0, result.KeptNodes);
        Assert.Empty(result.KeptReasons);
        Assert.Equal(["Conv"], Ops(quantized.Graph));
    }

    [Theory]
    [InlineData("Full")]
    [InlineData("Reduced")]
    [InlineData("Unsigned")]
    public void Same_input_gives_byte_identical_output_and_a_second_pass_changes_nothing(string form)
    {
        var range = Enum.Parse<Int8WeightRange>(form);
        foreach (ModelProto model in new[] { TestModels.Mlp(), TestModels.IfSubgraph(), TestModels.ConstantWeights(), TestModels.Gemms(), TestModels.Embeddings() })
        {
            var (first, _) = Quantize(model, range);
            var (second, _) = Quantize(model, range);
            byte[] bytes = OnnxModelWriter.Serialize(first);
            Assert.Equal(bytes, OnnxModelWriter.Serialize(second));

            var (again, result) = Quantize(first, range);
            Assert.Equal(0, result.QuantizedNodes);
            Assert.Equal(bytes, OnnxModelWriter.Serialize(again));
        }
    }

    [Fact]
    public void Hostile_names_are_kept_as_names_and_escaped_in_reasons()
    {
        ModelProto model = TestModels.TinyWeight();
        model.Graph.Node[0].Name = "evil\nfile(1,1): error XX0001: \u202Ename";
        var big = model.Graph.Initializer.Single(t => t.Name == "W_big2");
        big.Name = "w\u200B\r\n";
        model.Graph.Node[2].Input[1] = big.Name;
        var (quantized, result) = Quantize(model);

        Assert.Equal(1, result.QuantizedNodes);
        Assert.Contains(result.KeptReasons, r => r.StartsWith("MatMul 'evil\\u000afile(1,1): error XX0001: \\u202ename'", StringComparison.Ordinal));
        Assert.All(result.KeptReasons, r => Assert.DoesNotContain('\n', r));
        Assert.Contains(quantized.Graph.Initializer, t => t.Name == "w\u200B\r\n_int8");
        Assert.True(Ort.Compare(model, quantized, Ort.RandomInputs(18, ("x", [2, 8]))) >= MinCosine);
    }
}
