namespace ModelBuild.Onnx;

/// <summary>Which model and tensor an external-data problem belongs to; builds the error.</summary>
internal readonly record struct ExternalDataContext(string ModelPath, string TensorName)
{
    public ModelBuildException Error(string code, string dataPath, string problem, string fix, Exception? inner = null) =>
        new(code,
            $"External data of tensor '{DisplayText.Escape(TensorName)}' in model '{ModelPath}' " +
            $"('{DisplayText.Escape(dataPath)}') {problem}. To fix: {fix}.",
            ModelPath, inner);
}
