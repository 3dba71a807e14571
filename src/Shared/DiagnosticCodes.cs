using System.Collections.Generic;

namespace ModelBuild.Shared
{
    internal enum DiagnosticSeverity { Error, Warning, Message }

    /// <summary>One diagnostic ModelBuild can report: its code, severity and a short title (cause and fix: docs/diagnostics.md).</summary>
    internal sealed class DiagnosticCode
    {
        public DiagnosticCode(string code, DiagnosticSeverity severity, string title)
        {
            Code = code;
            Severity = severity;
            Title = title;
        }

        public string Code { get; }

        public DiagnosticSeverity Severity { get; }

        public string Title { get; }

        /// <summary>Where the cause and the fix are written.</summary>
        public string HelpLink => "docs/diagnostics.md";
    }

    /// <summary>
    /// The diagnostic registry: every MB code, once. A test keeps it, the codes raised anywhere in src/ and sdk/, and
    /// docs/diagnostics.md (cause and fix of each) equal, and checks that no code is raised from two components. Adding
    /// a code is one line here and one row in docs/diagnostics.md. Ranges: MB1 reading models, MB2 the generator, MB3
    /// the runtime, MB4 the MSBuild tasks (MB405x the compiler process itself), MB5 the compilation passes.
    /// </summary>
    internal static class DiagnosticCodes
    {
        public static readonly IReadOnlyList<DiagnosticCode> All = new[]
        {
            new DiagnosticCode("MB1001", DiagnosticSeverity.Error, "The model file does not exist"),
            new DiagnosticCode("MB1002", DiagnosticSeverity.Error, "The model file is empty"),
            new DiagnosticCode("MB1003", DiagnosticSeverity.Error, "The file is not a parseable ONNX protobuf"),
            new DiagnosticCode("MB1004", DiagnosticSeverity.Error, "The file parses as protobuf but is not an ONNX model (no ir_version, no graph or no opset…"),
            new DiagnosticCode("MB1005", DiagnosticSeverity.Error, "Over a reader limit"),
            new DiagnosticCode("MB1006", DiagnosticSeverity.Error, "The model file could not be read (I/O error, permissions)"),
            new DiagnosticCode("MB1007", DiagnosticSeverity.Error, "A model file could not be written"),
            new DiagnosticCode("MB1010", DiagnosticSeverity.Error, "A tensor marked as external data has no location"),
            new DiagnosticCode("MB1011", DiagnosticSeverity.Error, "An external data location is absolute, rooted, or contains : (a drive letter or Windows…"),
            new DiagnosticCode("MB1012", DiagnosticSeverity.Error, "An external data location leaves the model's folder (.., or resolves outside it)"),
            new DiagnosticCode("MB1013", DiagnosticSeverity.Error, "An external data path goes through a symbolic link"),
            new DiagnosticCode("MB1014", DiagnosticSeverity.Error, "An external data file does not exist"),
            new DiagnosticCode("MB1015", DiagnosticSeverity.Error, "An external data path is not a regular file (a folder, device, pipe)"),
            new DiagnosticCode("MB1016", DiagnosticSeverity.Error, "An external data file has more than one hard link (it could alias a file elsewhere)"),
            new DiagnosticCode("MB1017", DiagnosticSeverity.Error, "An external data offset or length is negative or not a number"),
            new DiagnosticCode("MB1018", DiagnosticSeverity.Error, "An external data range (offset + length) lies outside the data file"),
            new DiagnosticCode("MB1019", DiagnosticSeverity.Error, "An external data file could not be read, or a tensor over 2 GiB had to be inlined"),
            new DiagnosticCode("MB1020", DiagnosticSeverity.Error, "The graph has no outputs"),
            new DiagnosticCode("MB1021", DiagnosticSeverity.Error, "A graph input or output has an empty or duplicate name"),
            new DiagnosticCode("MB1022", DiagnosticSeverity.Error, "A node reads a value that no input, initializer or earlier node (in its graph or an enclosing…"),
            new DiagnosticCode("MB1023", DiagnosticSeverity.Error, "A graph output is produced by nothing"),
            new DiagnosticCode("MB1024", DiagnosticSeverity.Error, "Nodes use the default ONNX domain but the model imports no opset for it"),
            new DiagnosticCode("MB1025", DiagnosticSeverity.Error, "The model's IR version is newer than ModelBuild supports (12)"),
            new DiagnosticCode("MB1030", DiagnosticSeverity.Error, "The model path is not a regular file (a FIFO, device or socket)"),
            new DiagnosticCode("MB1031", DiagnosticSeverity.Error, "A graph input or output has a negative dimension"),
            new DiagnosticCode("MB1032", DiagnosticSeverity.Error, "A graph input or output name contains a NUL character"),
            new DiagnosticCode("MB1033", DiagnosticSeverity.Error, "An initializer has a negative dimension or more elements than 64 bits count"),
            new DiagnosticCode("MB1100", DiagnosticSeverity.Error, "The model is a PyTorch checkpoint: export it with torch.onnx.export"),
            new DiagnosticCode("MB1101", DiagnosticSeverity.Error, "The model is a TensorFlow SavedModel or frozen graph: convert it with tf2onnx"),
            new DiagnosticCode("MB1102", DiagnosticSeverity.Error, "The model is a Keras model: convert it with tf2onnx"),
            new DiagnosticCode("MB1103", DiagnosticSeverity.Error, "The model is a Core ML model: export the original model to ONNX"),
            new DiagnosticCode("MB1104", DiagnosticSeverity.Error, "The model is a safetensors file (weights only): export it with optimum-cli"),
            new DiagnosticCode("MB1105", DiagnosticSeverity.Error, "The model is a GGUF file: build ONNX from the original checkpoint"),
            new DiagnosticCode("MB1110", DiagnosticSeverity.Error, "A TensorFlow Lite file is not a valid flatbuffer"),
            new DiagnosticCode("MB1111", DiagnosticSeverity.Error, "A TensorFlow Lite file is over a reader limit"),
            new DiagnosticCode("MB1112", DiagnosticSeverity.Error, "A TensorFlow Lite operator the converter does not support"),
            new DiagnosticCode("MB1113", DiagnosticSeverity.Error, "A TensorFlow Lite tensor type or layout the converter does not support"),
            new DiagnosticCode("MB1114", DiagnosticSeverity.Error, "A TensorFlow Lite model that is well-formed but inconsistent"),
            new DiagnosticCode("MB2001", DiagnosticSeverity.Error, "The signature file is not valid JSON of the expected form (missing key, wrong type, unknown…"),
            new DiagnosticCode("MB2002", DiagnosticSeverity.Error, "The signature's schema is not modelbuild-signature/1"),
            new DiagnosticCode("MB2003", DiagnosticSeverity.Error, "Invalid class name or namespace"),
            new DiagnosticCode("MB2004", DiagnosticSeverity.Error, "An input or output type that ONNX Runtime's C# API cannot pass as a typed value"),
            new DiagnosticCode("MB2005", DiagnosticSeverity.Error, "The model has no outputs"),
            new DiagnosticCode("MB2006", DiagnosticSeverity.Error, "Two signatures declare the same Namespace.ClassName (ignoring case)"),
            new DiagnosticCode("MB3001", DiagnosticSeverity.Error, "The model file's SHA-256 differs from the hash recorded at build time (a swapped or corrupted file)"),
            new DiagnosticCode("MB3002", DiagnosticSeverity.Error, "The file passed to Load(path) does not exist"),
            new DiagnosticCode("MB3003", DiagnosticSeverity.Error, "Load() found no variant it can use"),
            new DiagnosticCode("MB3010", DiagnosticSeverity.Error, "A forced nnapi or coreml execution provider cannot run on this device"),
            new DiagnosticCode("MB4001", DiagnosticSeverity.Error, "A <Model> item's file does not exist"),
            new DiagnosticCode("MB4002", DiagnosticSeverity.Error, "ClassName metadata cannot name the generated class"),
            new DiagnosticCode("MB4003", DiagnosticSeverity.Error, "Two <Model> items produce the same class name"),
            new DiagnosticCode("MB4004", DiagnosticSeverity.Error, "Namespace metadata (or RootNamespace) is not a valid namespace"),
            new DiagnosticCode("MB4005", DiagnosticSeverity.Error, "Access metadata is neither public nor internal"),
            new DiagnosticCode("MB4006", DiagnosticSeverity.Error, "Quantize (or a <Target>Quantize override) is not none, int8, fp16 or int4"),
            new DiagnosticCode("MB4007", DiagnosticSeverity.Error, "Targets names something other than cpu, x64, arm64, cuda, mobile"),
            new DiagnosticCode("MB4008", DiagnosticSeverity.Warning, "A <Target>Quantize override names a target that Targets does not include"),
            new DiagnosticCode("MB4009", DiagnosticSeverity.Error, "Optimize is not extended, basic or none"),
            new DiagnosticCode("MB4010", DiagnosticSeverity.Error, "The compiler process failed without reporting an error (a crash)"),
            new DiagnosticCode("MB4011", DiagnosticSeverity.Error, "Verify is not error, warn or off"),
            new DiagnosticCode("MB4012", DiagnosticSeverity.Error, "MinCosine (0–1), MaxAbsError (≥ 0) or VerifySamples (1–1000, whole) is not a valid number (also…"),
            new DiagnosticCode("MB4013", DiagnosticSeverity.Error, "The SampleInputs folder does not exist"),
            new DiagnosticCode("MB4020", DiagnosticSeverity.Error, "Fallback is not cpu or none"),
            new DiagnosticCode("MB4021", DiagnosticSeverity.Error, "With Fallback=\"none\""),
            new DiagnosticCode("MB4022", DiagnosticSeverity.Message, "No CPU variant of the model's targets serves the RuntimeIdentifier (every one that does needs an…"),
            new DiagnosticCode("MB4030", DiagnosticSeverity.Error, "Dotnet pack of a library with models that uses <PackageReference Include=\"ModelBuild.Sdk\" />…"),
            new DiagnosticCode("MB4032", DiagnosticSeverity.Error, "ModelPackageLayout is neither Single nor PerRid"),
            new DiagnosticCode("MB4033", DiagnosticSeverity.Error, "ModelPackageLayout=\"PerRid\" but every model targets only cpu, which serves any RID"),
            new DiagnosticCode("MB4034", DiagnosticSeverity.Warning, "An app references a PerRid model library without a RuntimeIdentifier its packages serve"),
            new DiagnosticCode("MB4040", DiagnosticSeverity.Error, "VerifyTimeout is not a number of seconds above 0 and at most 86400"),
            new DiagnosticCode("MB4041", DiagnosticSeverity.Error, "VerifyMemoryLimit is not a size (bytes, KB, MB or GB)"),
            new DiagnosticCode("MB4042", DiagnosticSeverity.Error, "The compiler ran longer than ModelBuildCompileTimeout and was stopped"),
            new DiagnosticCode("MB4043", DiagnosticSeverity.Error, "ModelBuildCompileTimeout is negative or too large"),
            new DiagnosticCode("MB4044", DiagnosticSeverity.Error, "The compiler failed on a model with an internal error (crash log under obj/)"),
            new DiagnosticCode("MB4050", DiagnosticSeverity.Error, "A file could not be read or written while compiling (I/O error)"),
            new DiagnosticCode("MB4051", DiagnosticSeverity.Error, "The compiler's job list (written by the build) could not be read"),
            new DiagnosticCode("MB4052", DiagnosticSeverity.Error, "The compiler's TargetQuantize job field has an entry that is not target=mode (only a…"),
            new DiagnosticCode("MB4053", DiagnosticSeverity.Error, "ONNX Runtime's native library could not be loaded by the compiler (a build machine ModelBuild…"),
            new DiagnosticCode("MB4054", DiagnosticSeverity.Error, "A SampleShapes entry is not of the form input=d1,d2,... with whole dimensions of at least 1"),
            new DiagnosticCode("MB4055", DiagnosticSeverity.Error, "A MobileShapes entry is not of the form input=d1,d2,... with whole dimensions of at least 1"),
            new DiagnosticCode("MB4056", DiagnosticSeverity.Error, "MobileShapes and SampleShapes give one input different shapes"),
            new DiagnosticCode("MB5001", DiagnosticSeverity.Warning, "A target cannot use the requested Quantize (int8 on cuda)"),
            new DiagnosticCode("MB5002", DiagnosticSeverity.Warning, "Quantize found no weights to convert (all too small or of unsupported ops)"),
            new DiagnosticCode("MB5003", DiagnosticSeverity.Error, "A large model (external data over 1 GiB) was asked for mobile: ORT format cannot hold external…"),
            new DiagnosticCode("MB5010", DiagnosticSeverity.Error, "A variant's output is below MinCosine or above MaxAbsError against the original (an error"),
            new DiagnosticCode("MB5012", DiagnosticSeverity.Warning, "Variants were not verified (an input type samples cannot be made for, or a cuda fp16 variant the…"),
            new DiagnosticCode("MB5020", DiagnosticSeverity.Warning, "The compile cache could not be read or written, or an entry was damaged"),
            new DiagnosticCode("MB5150", DiagnosticSeverity.Warning, "The cuda fp16 variant stays fp32: too few Conv/MatMul/Gemm/recurrent nodes can compute in fp16"),
            new DiagnosticCode("MB5501", DiagnosticSeverity.Error, "ONNX Runtime could not load or optimize the model"),
            new DiagnosticCode("MB5502", DiagnosticSeverity.Error, "ONNX Runtime could not convert the model to ORT format (mobile)"),
            new DiagnosticCode("MB5503", DiagnosticSeverity.Error, "An operator type or domain cannot be written to the reduced-build operator list (separator or…"),
            new DiagnosticCode("MB5601", DiagnosticSeverity.Error, "An input is not a tensor (sequence, map, optional, sparse) or of an element type samples cannot…"),
            new DiagnosticCode("MB5602", DiagnosticSeverity.Error, "A SampleInputs file or folder is unusable"),
            new DiagnosticCode("MB5603", DiagnosticSeverity.Error, "ONNX Runtime could not load or run the original model or a variant during verification"),
            new DiagnosticCode("MB5604", DiagnosticSeverity.Error, "A variant lacks an input or output of the original model"),
            new DiagnosticCode("MB5610", DiagnosticSeverity.Error, "No generated input runs the original model; a warning when every variant is lossless"),
            new DiagnosticCode("MB5611", DiagnosticSeverity.Error, "A SampleShapes entry does not fit the model"),
            new DiagnosticCode("MB5660", DiagnosticSeverity.Error, "A MobileShapes entry does not fit the model (unknown input, rank, a fixed dimension)"),
            new DiagnosticCode("MB5661", DiagnosticSeverity.Warning, "The mobile variant has inputs with dynamic dimensions: NNAPI/Core ML run only the nodes with static shapes"),
            new DiagnosticCode("MB5662", DiagnosticSeverity.Error, "A SampleInputs tensor's shape differs from the input's MobileShapes shape"),
            new DiagnosticCode("MB5650", DiagnosticSeverity.Error, "Verification ran past its time budget (VerifyTimeout); a warning for a lossless variant"),
            new DiagnosticCode("MB5651", DiagnosticSeverity.Error, "Verification grew the compiler over its memory budget (VerifyMemoryLimit); a warning for a lossless variant"),
            new DiagnosticCode("MB5652", DiagnosticSeverity.Error, "A tensor sized before running is over the memory budget; a warning for a lossless variant"),
        };
    }
}
