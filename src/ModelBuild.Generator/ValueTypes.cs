namespace ModelBuild.Generator
{
    /// <summary>
    /// Which ONNX types become typed C# members, and the code that passes them to ModelBuild.Runtime. What ONNX
    /// Runtime's C# API can build and read decides the set: tensors of the 14 mapped element types; sequences of such
    /// tensors or of maps; maps with int64/string keys and float/double/int64/string values (ONNX Runtime's only map
    /// kernels' types); optionals of a tensor or a sequence. Everything else is <c>null</c> here, reported as MB2004.
    /// </summary>
    internal static class ValueTypes
    {
        private const string Rt = "global::ModelBuild.Runtime.";
        private const string DenseTensor = "global::Microsoft.ML.OnnxRuntime.Tensors.DenseTensor";
        private const string List = "global::System.Collections.Generic.IReadOnlyList";
        private const string Dictionary = "global::System.Collections.Generic.IReadOnlyDictionary";

        /// <summary>The property type for <paramref name="type"/> (nullable for an optional), or null when unsupported.</summary>
        public static string? CSharpType(TypeSpec type)
        {
            if (type.Kind == "optional")
            {
                TypeSpec inner = type.Inner!;
                return inner.Kind == "tensor" || inner.Kind == "sequence" ? CSharpType(inner) + "?" : null;
            }

            return Required(type);
        }

        private static string? Required(TypeSpec type)
        {
            switch (type.Kind)
            {
                case "tensor":
                {
                    string? element = CodeText.ClrElementType(type.ElementType);
                    return element is null ? null : DenseTensor + "<" + element + ">";
                }

                case "sequence":
                {
                    string? element = type.Inner!.Kind == "tensor" || type.Inner.Kind == "map" ? Required(type.Inner) : null;
                    return element is null ? null : List + "<" + element + ">";
                }

                case "map":
                {
                    TypeSpec value = type.Inner!;
                    bool supported = (type.KeyType == "int64" || type.KeyType == "string")
                        && value.Kind == "tensor"
                        && (value.ElementType == "float" || value.ElementType == "double" || value.ElementType == "int64" || value.ElementType == "string");
                    return supported
                        ? Dictionary + "<" + CodeText.ClrElementType(type.KeyType) + ", " + CodeText.ClrElementType(value.ElementType) + ">"
                        : null;
                }

                default:
                    return null;
            }
        }

        /// <summary>The <c>ModelInputs</c> call that adds <paramref name="expression"/> as input <paramref name="index"/>.</summary>
        public static string AddCall(TypeSpec type, int index, string expression)
        {
            TypeSpec t = type.Kind == "optional" ? type.Inner! : type;
            switch (t.Kind)
            {
                case "tensor":
                    return "inputs.Add<" + CodeText.ClrElementType(t.ElementType) + ">(" + index + ", " + expression + ");";
                case "sequence":
                    return "inputs.AddSequence<" + CodeText.ClrElementType(t.Inner!.ElementType) + ">(" + index + ", " + expression + ");";
                default:
                    return "inputs.AddMap<" + MapArguments(t) + ">(" + index + ", " + expression + ");";
            }
        }

        /// <summary>The expression that reads output <paramref name="index"/> in the output struct (from its lease <c>_results</c>).</summary>
        public static string GetExpression(TypeSpec type, int index)
        {
            if (type.Kind == "optional")
            {
                return "this._results.Results.HasValue(" + index + ") ? " + GetExpression(type.Inner!, index) + " : null";
            }

            switch (type.Kind)
            {
                case "tensor":
                    return "this._results.Results.GetTensor<" + CodeText.ClrElementType(type.ElementType) + ">(" + index + ")";
                case "sequence":
                    return type.Inner!.Kind == "map"
                        ? "this._results.Results.GetMapSequence<" + MapArguments(type.Inner) + ">(" + index + ")"
                        : "this._results.Results.GetSequence<" + CodeText.ClrElementType(type.Inner.ElementType) + ">(" + index + ")";
                default:
                    return "this._results.Results.GetMap<" + MapArguments(type) + ">(" + index + ")";
            }
        }

        private static string MapArguments(TypeSpec map) =>
            CodeText.ClrElementType(map.KeyType) + ", " + CodeText.ClrElementType(map.Inner!.ElementType);

        /// <summary>A <c>ModelBuild.Runtime.TypeDescription</c> expression for a supported non-tensor type.</summary>
        public static string Description(TypeSpec type)
        {
            switch (type.Kind)
            {
                case "tensor":
                    return Rt + "TypeDescription.Tensor(" + CodeText.Literal(type.ElementType) + ", " + Shape(type) + ")";
                case "map":
                    return Rt + "TypeDescription.Map(" + CodeText.Literal(type.KeyType) + ", " + Description(type.Inner!) + ")";
                case "sequence":
                    return Rt + "TypeDescription.Sequence(" + Description(type.Inner!) + ")";
                default:
                    return Rt + "TypeDescription.Optional(" + Description(type.Inner!) + ")";
            }
        }

        /// <summary>A tensor's shape as a <c>Dimension[]</c> expression, or <c>null</c> for unknown rank.</summary>
        public static string Shape(TypeSpec tensor)
        {
            if (!tensor.HasShape)
            {
                return "null";
            }

            var dims = new System.Collections.Generic.List<string>();
            foreach (DimensionSpec d in tensor.Shape)
            {
                dims.Add("new " + Rt + "Dimension(" + (d.Value.HasValue ? CodeText.Int64(d.Value.Value) : "null") + ", " + CodeText.Literal(d.Param) + ")");
            }

            return "new " + Rt + "Dimension[] { " + string.Join(", ", dims) + (dims.Count > 0 ? " }" : "}");
        }
    }
}
