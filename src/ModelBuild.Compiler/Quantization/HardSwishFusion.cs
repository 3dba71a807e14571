using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Rewrites hard-swish as exporters before opset 14 spell it, x · Clip(x + 3, 0, 6) / 6 (Add, Clip, Mul, Div: four
/// float passes over the feature map), as x · HardSigmoid(x; α = 1/6, β = 0.5) (two passes; the same function).
/// PP-OCRv4's backbone has one after most Convs, where static int8 leaves them in float.
/// </summary>
internal static class HardSwishFusion
{
    /// <summary>Rewrites <paramref name="model"/>'s main graph in place; returns how many hard-swishes were rewritten.</summary>
    public static int Apply(ModelProto model)
    {
        if (model.Graph is null) return 0;
        int fused = 0;
        while (FuseOne(model)) fused++;
        return fused;
    }

    private static bool FuseOne(ModelProto model)
    {
        GraphProto graph = model.Graph;
        var scope = new GraphScope(graph, null, model.IrVersion);
        var consumers = scope.Consumers();
        NodeProto? OnlyReader(NodeProto node, string opType) =>
            node.Output.Count == 1 && !scope.IsGraphOutput(node.Output[0]) && consumers.TryGetValue(node.Output[0], out var readers)
            && readers.Count == 1 && readers[0].OpType == opType && GraphScope.IsDefaultDomain(readers[0]) ? readers[0] : null;
        bool IsConstant(string name, float value) =>
            scope.ResolveConstant(name) is { } c && TensorData.IsReadableFloat(c.Tensor) && TensorData.ReadFloats(c.Tensor) is [var v] && v == value;

        foreach (NodeProto add in graph.Node)
        {
            if (add.OpType != "Add" || !GraphScope.IsDefaultDomain(add) || add.Input.Count != 2) continue;
            int three = IsConstant(add.Input[1], 3f) ? 1 : IsConstant(add.Input[0], 3f) ? 0 : -1;
            if (three < 0) continue;
            string x = add.Input[1 - three];
            if (OnlyReader(add, "Clip") is not { } clip || !ClipsTo(clip, scope, 0f, 6f)) continue;
            if (OnlyReader(clip, "Mul") is not { } mul || mul.Input.Count != 2 || !mul.Input.Contains(x) || !mul.Input.Contains(clip.Output[0])) continue;
            if (OnlyReader(mul, "Div") is not { } div || div.Input.Count != 2 || div.Input[0] != mul.Output[0] || !IsConstant(div.Input[1], 6f)) continue;

            var names = new NameTable(model);
            var hardSigmoid = new NodeProto { OpType = "HardSigmoid", Name = names.Unique($"{div.Output[0]}_HardSigmoid") };
            hardSigmoid.Input.Add(x);
            hardSigmoid.Output.Add(names.Unique($"{div.Output[0]}_gate"));
            hardSigmoid.Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 1f / 6 });
            hardSigmoid.Attribute.Add(new AttributeProto { Name = "beta", Type = AttributeProto.Types.AttributeType.Float, F = 0.5f });
            mul.Input.Clear();
            mul.Input.Add(x);
            mul.Input.Add(hardSigmoid.Output[0]);
            string[] dropped = [add.Output[0], clip.Output[0], mul.Output[0]];
            mul.Output[0] = div.Output[0];
            graph.Node.Insert(graph.Node.IndexOf(add), hardSigmoid);
            string[] constants = [.. add.Input, .. clip.Input.Skip(1), div.Input[1]];
            graph.Node.Remove(add);
            graph.Node.Remove(clip);
            graph.Node.Remove(div);
            foreach (string name in dropped) scope.RemoveValueInfo(name);
            foreach (string name in constants.Where(n => n.Length > 0 && n != x)) scope.RemoveIfUnused(name);
            return true;
        }

        return false;
    }

    /// <summary>Whether <paramref name="clip"/> bounds to exactly [min, max]: inputs from opset 11, attributes before.</summary>
    private static bool ClipsTo(NodeProto clip, GraphScope scope, float min, float max)
    {
        float? Input(int i) => clip.Input.Count > i && clip.Input[i].Length > 0 && scope.ResolveConstant(clip.Input[i]) is { } c
            && TensorData.IsReadableFloat(c.Tensor) && TensorData.ReadFloats(c.Tensor) is [var v] ? v : null;
        float? Attribute(string name) => clip.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : null;
        return (Input(1) ?? Attribute("min")) == min && (Input(2) ?? Attribute("max")) == max;
    }
}
