using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Quantization;
using ModelBuild.Compiler.Tests.Quantization;
using ModelBuild.Compiler.Verification;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using Microsoft.ML.OnnxRuntime;
using static ModelZoo.OnnxBuilder;
using DataType = ModelBuild.Onnx.Protos.TensorProto.Types.DataType;

namespace ModelBuild.Compiler.Tests.Verification;

/// <summary>
/// Full-range int8 measured with exact integer arithmetic: the uint8 twin holds the same integers and gives what an
/// exact int8 kernel (ARM, VNNI) computes, even on an x64 CPU whose u8s8 kernels saturate.
/// </summary>
public sealed class ExactInt8TwinTests
{
    /// <summary>x[1,256] → MatMul W[256,256] → y, weights large enough to quantize, inputs large enough to saturate u8s8.</summary>
    private static ModelProto Mlp()
    {
        var graph = new GraphProto { Name = "mlp" };
        graph.Input.Add(Value("x", DataType.Float, [Dim(1), Dim(256)]));
        graph.Output.Add(Value("y", DataType.Float, [Dim(1), Dim(256)]));
        graph.Initializer.Add(TestModels.Weight("W", 1, 256, 256));
        graph.Node.Add(Node("MatMul", "fc", ["x", "W"], ["y"]));
        return Model(graph);
    }

    [Fact]
    public void Twin_holds_the_same_integers_as_uint8_with_zero_point_128()
    {
        ModelProto model = Mlp();
        Int8DynamicQuantizer.Apply(model, Int8WeightRange.Full);
        TensorProto int8 = model.Graph.Initializer.Single(t => t.DataType == (int)DataType.Int8);

        int rewritten = ExactInt8Twin.Rewrite(model, t => t.RawData.ToByteArray());

        Assert.Equal(1, rewritten);
        NodeProto node = Assert.Single(model.Graph.Node);
        TensorProto u8 = model.Graph.Initializer.Single(t => t.Name == node.Input[1]);
        TensorProto zeroPoint = model.Graph.Initializer.Single(t => t.Name == node.Input[3]);
        Assert.Equal((int)DataType.Uint8, u8.DataType);
        Assert.Equal(int8.Dims, u8.Dims);
        Assert.Equal(int8.RawData.Select(b => (int)(sbyte)b), u8.RawData.Select(b => b - 128));
        Assert.Equal([256L], zeroPoint.Dims);
        Assert.All(zeroPoint.RawData, b => Assert.Equal(128, b));
    }

    [Fact]
    public void Twin_output_is_exact_integer_arithmetic_in_ONNX_Runtime()
    {
        using var temp = new TempFolder();
        ModelProto twin = Mlp();
        Int8DynamicQuantizer.Apply(twin, Int8WeightRange.Full);
        TensorProto weight = twin.Graph.Initializer.Single(t => t.DataType == (int)DataType.Int8);
        sbyte[] b = weight.RawData.Select(v => (sbyte)v).ToArray();
        float[] bScale = TensorData.ReadFloats(twin.Graph.Initializer.Single(t => t.Name == twin.Graph.Node[0].Input[2]));
        ExactInt8Twin.Rewrite(twin, t => t.RawData.ToByteArray());
        OnnxModelWriter.WriteFile(twin, temp.File("twin.onnx"));
        float[] x = Enumerable.Range(0, 256).Select(i => MathF.Sin(i * 0.37f) * 3f).ToArray();

        float[] y = Run(temp.File("twin.onnx"), x);

        // What an exact kernel computes: x quantized to uint8 as DynamicQuantizeLinear does, then integer dot products.
        float min = Math.Min(0, x.Min()), max = Math.Max(0, x.Max());
        float aScale = (max - min) / 255f;
        int aZero = (int)Math.Clamp(MathF.Round(-min / aScale, MidpointRounding.ToEven), 0, 255);
        int[] a = x.Select(v => Math.Clamp((int)MathF.Round(v / aScale, MidpointRounding.ToEven) + aZero, 0, 255)).ToArray();
        for (int n = 0; n < 256; n++)
        {
            long sum = 0;
            for (int k = 0; k < 256; k++)
            {
                sum += (long)(a[k] - aZero) * b[k * 256 + n];
            }
            float expected = sum * aScale * bScale[n];
            Assert.Equal(expected, y[n], Math.Abs(expected) * 1e-4f + 1e-5f);
        }
    }

    [Fact]
    public void Arm64_int8_is_verified_on_its_twin_on_x64_and_says_so()
    {
        using var temp = new TempFolder();
        OnnxModelWriter.WriteFile(Mlp(), temp.File("net.onnx"));
        CompileJob job = Jobs.For(temp.File("net.onnx"), temp.File("out")) with { Quantize = "int8", Targets = "arm64", Fallback = "none" };

        var (ok, lines) = Jobs.Run(job);

        Assert.True(ok, string.Join("\n", lines));
        JsonNode verification = JsonNode.Parse(File.ReadAllBytes(job.ReportFile!))!["variants"]![0]!["variant"]!["verification"]!;
        Assert.InRange((double)verification["outputs"]![0]!["cosine"]!, 0.999, 1.0);
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Assert.Contains("uint8 twin", (string?)verification["method"]);
        }
        else
        {
            Assert.Null(verification["method"]);
        }
    }

    private static float[] Run(string path, float[] x)
    {
        using var session = new InferenceSession(path);
        using var input = OrtValue.CreateTensorValueFromMemory(x, [1, x.Length]);
        using var results = session.Run(new RunOptions(), ["x"], [input], ["y"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
