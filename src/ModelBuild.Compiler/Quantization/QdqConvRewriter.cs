using ModelBuild.Onnx.Protos;

namespace ModelBuild.Compiler.Quantization;

/// <summary>
/// Writes static int8 QDQ around chosen Convs: each Conv's input and result (<see cref="ConvSite.OutputPoint"/>) go
/// through QuantizeLinear → DequantizeLinear (uint8, calibrated scale and zero point; one pair per tensor, every reader
/// of the tensor reads the dequantized value), weights become int8 per output channel (symmetric, ±qmax) read through
/// a DequantizeLinear, and the bias int32 at scale input_scale × weight_scale. ONNX Runtime fuses each
/// DQ → Conv → Q group into QLinearConv when it loads the model. Opsets before 13 have no per-channel
/// DequantizeLinear: there the com.microsoft Q/DQ, which ONNX Runtime treats alike, are used.
/// </summary>
internal static class QdqConvRewriter
{
    /// <summary>Largest |bias code|: int32 with room to spare for the accumulator it is added to.</summary>
    private const int MaxBiasCode = 1 << 30;

    /// <summary>
    /// Rewrites <paramref name="model"/> in place; <paramref name="quantize"/> holds indexes into <see cref="ConvSite.Find"/>.
    /// Returns what was written: <see cref="QdqLayout"/> may add a Conv between int8 Convs or give one back.
    /// </summary>
    public static QdqLayout.Layout Apply(ModelProto model, IReadOnlySet<int> quantize, IReadOnlyDictionary<string, ActivationRange> ranges, RangeMethod method, int qmax)
    {
        List<ConvSite> sites = ConvSite.Find(model);
        var graph = model.Graph;
        var scope = new GraphScope(graph, null, model.IrVersion);
        var names = new NameTable(model);
        string domain = OpsetImports.Default(model) >= 13 ? "" : OpsetImports.Microsoft;
        if (domain.Length > 0) OpsetImports.EnsureMicrosoft(model);

        QdqLayout.Layout layout = QdqLayout.Resolve(model, sites, quantize, ranges);
        var chosen = sites.Where((_, i) => layout.Convs.Contains(i)).ToList();
        var scales = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (string tensor in layout.Activations(sites))
        {
            var (scale, zeroPoint) = ranges[tensor].UInt8(method);
            scales[tensor] = scale;
            InsertQdq(graph, scope, names, domain, tensor, scale, zeroPoint);
        }

        foreach (ConvSite site in chosen)
        {
            float[] w = TensorData.ReadFloats(site.Weight.Tensor);
            int m = site.Channels, perChannel = w.Length / m;
            var weightScales = new float[m];
            var codes = new sbyte[w.Length];
            float[]? b = site.Bias is { } biasRef ? TensorData.ReadFloats(biasRef.Tensor) : null;
            for (int c = 0; c < m; c++)
            {
                float max = 0f;
                for (int i = 0; i < perChannel; i++) max = MathF.Max(max, MathF.Abs(w[c * perChannel + i]));
                weightScales[c] = max > 0f ? max / qmax : 1f;
                // A channel with near-zero weights and a large bias (BatchNorm folded in) would need a bias code past
                // int32 at scale input_scale × weight_scale: the weight scale grows until the bias fits.
                if (b is not null) weightScales[c] = MathF.Max(weightScales[c], (float)(Math.Abs(b[c]) / (scales[site.Input] * (double)MaxBiasCode)));
                for (int i = 0; i < perChannel; i++)
                {
                    codes[c * perChannel + i] = (sbyte)Math.Clamp(MathF.Round(w[c * perChannel + i] / weightScales[c], MidpointRounding.ToEven), -qmax, qmax);
                }
            }

            int at = graph.Node.IndexOf(site.Node);
            string prefix = site.Weight.Name;
            string weight = names.Unique($"{prefix}_int8"), weightScale = names.Unique($"{prefix}_int8_scale"), weightZero = names.Unique($"{prefix}_int8_zero_point");
            scope.AddInitializer(TensorData.Int8(weight, [.. site.Weight.Tensor.Dims], codes));
            scope.AddInitializer(TensorData.Float(weightScale, [m], weightScales));
            scope.AddInitializer(TensorData.Int8(weightZero, [m], new sbyte[m]));
            string dequantizedWeight = names.Unique($"{prefix}_dequantized");
            graph.Node.Insert(at++, Dequantize(names, domain, weight, weightScale, weightZero, dequantizedWeight, axis: true));
            site.Node.Input[1] = dequantizedWeight;

            if (site.Bias is { } bias && b is not null)
            {
                var biasScales = new float[m];
                var biasCodes = new int[m];
                for (int c = 0; c < m; c++)
                {
                    biasScales[c] = scales[site.Input] * weightScales[c];
                    biasCodes[c] = (int)Math.Clamp(Math.Round(b[c] / (double)biasScales[c], MidpointRounding.ToEven), int.MinValue, int.MaxValue);
                }

                string biasName = names.Unique($"{bias.Name}_int32"), biasScale = names.Unique($"{bias.Name}_int32_scale"), biasZero = names.Unique($"{bias.Name}_int32_zero_point");
                scope.AddInitializer(TensorData.Int32(biasName, [m], biasCodes));
                scope.AddInitializer(TensorData.Float(biasScale, [m], biasScales));
                scope.AddInitializer(TensorData.Int32(biasZero, [m], new int[m]));
                string dequantizedBias = names.Unique($"{bias.Name}_dequantized");
                graph.Node.Insert(at, Dequantize(names, domain, biasName, biasScale, biasZero, dequantizedBias, axis: true));
                site.Node.Input[2] = dequantizedBias;
            }
        }

        foreach (ConvSite site in chosen)
        {
            scope.RemoveIfUnused(site.Weight.Name);
            if (site.Bias is { } bias) scope.RemoveIfUnused(bias.Name);
        }

        return layout;
    }

    /// <summary>Q → DQ right after <paramref name="tensor"/>'s producer; its readers (not the Q) read the DQ's output.</summary>
    private static void InsertQdq(GraphProto graph, GraphScope scope, NameTable names, string domain, string tensor, float scale, byte zeroPoint)
    {
        string scaleName = names.Unique($"{tensor}_scale"), zeroName = names.Unique($"{tensor}_zero_point");
        scope.AddInitializer(TensorData.Float(scaleName, [], [scale]));
        scope.AddInitializer(TensorData.UInt8(zeroName, [], [zeroPoint]));
        string quantized = names.Unique($"{tensor}_quantized"), dequantized = names.Unique($"{tensor}_dequantized");
        foreach (NodeProto reader in graph.Node)
        {
            for (int i = 0; i < reader.Input.Count; i++)
            {
                if (reader.Input[i] == tensor) reader.Input[i] = dequantized;
            }
        }

        var q = new NodeProto { OpType = "QuantizeLinear", Domain = domain, Name = names.Unique($"{tensor}_QuantizeLinear") };
        q.Input.Add(tensor);
        q.Input.Add(scaleName);
        q.Input.Add(zeroName);
        q.Output.Add(quantized);
        NodeProto dq = Dequantize(names, domain, quantized, scaleName, zeroName, dequantized, axis: false);
        int producer = -1;
        for (int i = 0; i < graph.Node.Count && producer < 0; i++)
        {
            if (graph.Node[i].Output.Contains(tensor)) producer = i;
        }

        graph.Node.Insert(producer + 1, dq);
        graph.Node.Insert(producer + 1, q);
    }

    private static NodeProto Dequantize(NameTable names, string domain, string input, string scale, string zeroPoint, string output, bool axis)
    {
        var dq = new NodeProto { OpType = "DequantizeLinear", Domain = domain, Name = names.Unique($"{output}_DequantizeLinear") };
        dq.Input.Add(input);
        dq.Input.Add(scale);
        dq.Input.Add(zeroPoint);
        dq.Output.Add(output);
        if (axis) dq.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        return dq;
    }
}
