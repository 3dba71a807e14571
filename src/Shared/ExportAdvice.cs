namespace ModelBuild.Shared
{
    /// <summary>
    /// The error for a model format ModelBuild does not read: its code (MB1100-MB1105, docs/diagnostics.md) and the
    /// command that exports such a model to ONNX. Shared by the compiler and the MSBuild tasks.
    /// </summary>
    internal static class ExportAdvice
    {
        /// <summary>Null for the formats ModelBuild reads itself (ONNX, TensorFlow Lite).</summary>
        public static (string Code, string Message)? For(ModelFormat format, string path)
        {
            switch (format)
            {
                case ModelFormat.PyTorch:
                    return ("MB1100", $"'{path}' is a PyTorch checkpoint, not an ONNX model; ModelBuild cannot run PyTorch. Export it to ONNX " +
                        "with the model's code and an example input of the real shape: python -c \"import torch; m = torch.load('model.pt', " +
                        "weights_only=False).eval(); torch.onnx.export(m, (torch.randn(1, 3, 224, 224),), 'model.onnx', dynamo=True)\" " +
                        "(a state_dict .pth needs the model class: build it, load_state_dict, then export), and point the <Model> item at model.onnx.");
                case ModelFormat.TensorFlow:
                    return ("MB1101", $"'{path}' is a TensorFlow model (SavedModel folder or frozen GraphDef .pb), not an ONNX model. Convert it " +
                        "with tf2onnx (pip install tf2onnx): python -m tf2onnx.convert --saved-model <saved_model_folder> --output model.onnx " +
                        "--opset 17, or for a frozen graph python -m tf2onnx.convert --graphdef model.pb --inputs <input>:0 --outputs <output>:0 " +
                        "--output model.onnx; or convert it to TensorFlow Lite (tf.lite.TFLiteConverter), which ModelBuild reads directly.");
                case ModelFormat.Keras:
                    return ("MB1102", $"'{path}' is a Keras model (.h5/.keras), not an ONNX model. Convert it with tf2onnx (pip install tf2onnx): " +
                        "python -m tf2onnx.convert --keras model.h5 --output model.onnx --opset 17 (Keras 3 .keras files: python -c \"import keras, " +
                        "tf2onnx, tensorflow as tf; m = keras.models.load_model('model.keras'); tf2onnx.convert.from_keras(m, " +
                        "output_path='model.onnx')\").");
                case ModelFormat.CoreMl:
                    return ("MB1103", $"'{path}' is a Core ML model (.mlmodel/.mlpackage), which is compiled for Apple devices and has no " +
                        "supported way back to ONNX. Export the original PyTorch or TensorFlow model to ONNX instead (torch.onnx.export / " +
                        "python -m tf2onnx.convert); ModelBuild's `mobile` target then runs it with ONNX Runtime's Core ML provider on Apple devices.");
                case ModelFormat.Safetensors:
                    return ("MB1104", $"'{path}' is a safetensors file: weights only, without the graph that ONNX needs. Export the model it " +
                        "belongs to with Hugging Face Optimum (pip install optimum[exporters]): optimum-cli export onnx --model " +
                        "<model id or folder with config.json and the .safetensors> onnx_out/, then point the <Model> item at onnx_out/model.onnx.");
                case ModelFormat.Gguf:
                    return ("MB1105", $"'{path}' is a GGUF file (llama.cpp weights), not an ONNX model. Build an ONNX model from the original " +
                        "Hugging Face checkpoint: optimum-cli export onnx --model <model id> onnx_out/, or for a large language model with " +
                        "ONNX Runtime GenAI's builder: python -m onnxruntime_genai.models.builder -m <model id> -i model.gguf -o onnx_out " +
                        "-p int4 -e cpu.");
                default:
                    return null;
            }
        }
    }
}
