// A minimal copy of the ModelBuild.Runtime API from docs/architecture.md, used ONLY to compile generated code
// in tests while src/ModelBuild.Runtime is not there yet. Not compiled into the test assembly: the tests
// compile this file in memory (see RuntimeReference.cs). Bodies throw; only the shape matters.
#nullable enable
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ModelBuild.Runtime
{
    public sealed class ModelOptions
    {
        public bool VerifyIntegrity { get; set; } = true;
        public string? BaseDirectory { get; set; }
        public int? IntraOpNumThreads { get; set; }
        public int? InterOpNumThreads { get; set; }
        public Action<SessionOptions>? ConfigureSessionOptions { get; set; }
    }

    public sealed record OpsetImport(string Domain, long Version);

    public readonly record struct Dimension(long? Value, string? Symbol);

    public sealed class ValueDescription
    {
        public ValueDescription(string name, string elementType, IReadOnlyList<Dimension>? shape, string docString)
        {
            Name = name;
            ElementType = elementType;
            Shape = shape;
            DocString = docString;
        }

        public string Name { get; }
        public string ElementType { get; }
        public IReadOnlyList<Dimension>? Shape { get; }
        public string DocString { get; }
    }

    public sealed class ModelDescription
    {
        public ModelDescription(string className, string modelFileName, string assetPath, string sha256,
            long irVersion, IReadOnlyList<OpsetImport> opsetImports, string producerName, string producerVersion,
            string graphName, string docString, IReadOnlyList<ValueDescription> inputs, IReadOnlyList<ValueDescription> outputs)
        {
            ClassName = className;
            ModelFileName = modelFileName;
            AssetPath = assetPath;
            Sha256 = sha256;
            IrVersion = irVersion;
            OpsetImports = opsetImports;
            ProducerName = producerName;
            ProducerVersion = producerVersion;
            GraphName = graphName;
            DocString = docString;
            Inputs = inputs;
            Outputs = outputs;
        }

        public string ClassName { get; }
        public string ModelFileName { get; }
        public string AssetPath { get; }
        public string Sha256 { get; }
        public long IrVersion { get; }
        public IReadOnlyList<OpsetImport> OpsetImports { get; }
        public string ProducerName { get; }
        public string ProducerVersion { get; }
        public string GraphName { get; }
        public string DocString { get; }
        public IReadOnlyList<ValueDescription> Inputs { get; }
        public IReadOnlyList<ValueDescription> Outputs { get; }
    }

    public sealed class ModelSession : IDisposable
    {
        private ModelSession() => throw new NotImplementedException();
        public static ModelSession Load(ModelDescription description, string? modelPath, ModelOptions? options) => throw new NotImplementedException();
        public ModelDescription Description => throw new NotImplementedException();
        public string ModelPath => throw new NotImplementedException();
        public InferenceSession InferenceSession => throw new NotImplementedException();
        public ModelResults Run(ModelInputs inputs) => throw new NotImplementedException();
        public Task<ModelResults> RunAsync(ModelInputs inputs, CancellationToken cancellationToken = default) => throw new NotImplementedException();
        public void Dispose() => throw new NotImplementedException();
    }

    public sealed class ModelInputs : IDisposable
    {
        public ModelInputs(ModelDescription description) => throw new NotImplementedException();
        public void Add<T>(int index, DenseTensor<T> tensor) => throw new NotImplementedException();
        public void Dispose() => throw new NotImplementedException();
    }

    public sealed class ModelResults : IDisposable
    {
        private ModelResults() => throw new NotImplementedException();
        public DenseTensor<T> GetTensor<T>(int index) => throw new NotImplementedException();
        public void Dispose() => throw new NotImplementedException();
    }
}
