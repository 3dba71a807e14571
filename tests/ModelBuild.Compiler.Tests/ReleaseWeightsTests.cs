using ModelBuild.Compiler.Passes;
using ModelBuild.Compiler.Pipeline;
using ModelBuild.Compiler.Variants;
using ModelBuild.Onnx;
using ModelBuild.Onnx.Protos;
using static ModelBuild.Onnx.Protos.TensorProto.Types;
using static ModelZoo.OnnxBuilder;

namespace ModelBuild.Compiler.Tests;

/// <summary>
/// The compile's peak memory (docs/performance.md): once the quantize pass has written every variant, the model's
/// large float weights are dropped, and what the later passes read of the model stays.
/// </summary>
public sealed class ReleaseWeightsTests
{
    [Fact]
    public void After_the_quantize_pass_only_large_float_weights_lose_their_values()
    {
        using var temp = new TempFolder();
        var random = new Random(3);
        var graph = new GraphProto
        {
            Name = "g",
            Input = { Value("x", DataType.Float, [Dim(1), Dim(256)]) },
            Output = { Value("z", DataType.Float, [Dim(1), Dim(256)]) },
            Initializer =
            {
                Floats("W", [256, 256], [.. Enumerable.Range(0, 256 * 256).Select(_ => random.NextSingle() - 0.5f)]),
                Floats("B", [256], [.. Enumerable.Range(0, 256).Select(_ => random.NextSingle())]),
                Int64s("shape", [2], [1, 256]),
            },
            Node =
            {
                Node("MatMul", "mm", ["x", "W"], ["y"]),
                Node("Add", "add", ["y", "B"], ["yb"]),
                Node("Reshape", "reshape", ["yb", "shape"], ["z"]),
            },
        };
        string path = temp.File("net.onnx");
        OnnxModelWriter.WriteFile(Model(graph), path);
        CompilationContext context = Jobs.Context(Jobs.For(path, temp.File("out")) with { Quantize = "int8", Targets = "x64" });
        try
        {
            new LoadPass().Run(context);
            new PlanPass().Run(context);
            new QuantizePass().Run(context);

            Dictionary<string, TensorProto> tensors = context.Model.Graph.Initializer.ToDictionary(t => t.Name);
            Assert.True(tensors["W"].RawData.IsEmpty);
            Assert.Equal([256L, 256L], tensors["W"].Dims);
            Assert.Equal(256 * sizeof(float), tensors["B"].RawData.Length); // under 64 KiB: kept
            Assert.Equal([1L, 256L], tensors["shape"].Int64Data);
            Assert.Throws<InvalidOperationException>(() => context.ModelWithData());

            // The variant was written before: its int8 weights are all there.
            ModelProto variant = ModelProto.Parser.ParseFrom(File.ReadAllBytes(context.Variants.Single(v => v.Plan.Target == Target.X64).OnnxPath));
            Assert.Contains(variant.Graph.Initializer, t => t.DataType == (int)DataType.Int8 && t.RawData.Length == 256 * 256);
        }
        finally
        {
            context.DeleteWorkDirectory();
        }
    }
}
