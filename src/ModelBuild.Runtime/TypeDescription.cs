using System.Text;

namespace ModelBuild.Runtime;

/// <summary>The kind of an ONNX value (ONNX <c>TypeProto</c>'s <c>value</c> case) as far as ModelBuild passes it.</summary>
public enum ValueKind
{
    /// <summary>A dense tensor: <see cref="TypeDescription.ElementType"/> and <see cref="TypeDescription.Shape"/>.</summary>
    Tensor,

    /// <summary>A sequence of values of type <see cref="TypeDescription.Element"/>.</summary>
    Sequence,

    /// <summary>A map from <see cref="TypeDescription.KeyType"/> keys to values of type <see cref="TypeDescription.Element"/>.</summary>
    Map,

    /// <summary>A value of type <see cref="TypeDescription.Element"/> or none.</summary>
    Optional,
}

/// <summary>An ONNX value type as recorded at build time: a tensor, or a sequence, map or optional of other types.</summary>
public sealed class TypeDescription
{
    private TypeDescription(ValueKind kind, string elementType, IReadOnlyList<Dimension>? shape, string keyType, TypeDescription? element)
    {
        Kind = kind;
        ElementType = elementType;
        Shape = shape;
        KeyType = keyType;
        Element = element;
    }

    /// <summary>Gets the kind of value.</summary>
    public ValueKind Kind { get; }

    /// <summary>Gets a tensor's element type name as in the signature file (<c>float</c>, <c>int64</c>…); empty for other kinds.</summary>
    public string ElementType { get; }

    /// <summary>Gets a tensor's declared shape (<see langword="null"/>: rank unknown, and for other kinds).</summary>
    public IReadOnlyList<Dimension>? Shape { get; }

    /// <summary>Gets a map's key element type name (<c>int64</c> or <c>string</c>); empty for other kinds.</summary>
    public string KeyType { get; }

    /// <summary>Gets the element type of a sequence or optional, or the value type of a map; <see langword="null"/> for tensors.</summary>
    public TypeDescription? Element { get; }

    /// <summary>Describes a tensor type.</summary>
    /// <param name="elementType">The element type name (e.g. <c>float</c>).</param>
    /// <param name="shape">The declared shape, or <see langword="null"/> when the rank is unknown.</param>
    /// <returns>The type.</returns>
    public static TypeDescription Tensor(string elementType, IReadOnlyList<Dimension>? shape)
    {
        ArgumentNullException.ThrowIfNull(elementType);
        return new TypeDescription(ValueKind.Tensor, elementType, shape, string.Empty, null);
    }

    /// <summary>Describes a sequence type.</summary>
    /// <param name="element">The type of each element.</param>
    /// <returns>The type.</returns>
    public static TypeDescription Sequence(TypeDescription element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new TypeDescription(ValueKind.Sequence, string.Empty, null, string.Empty, element);
    }

    /// <summary>Describes a map type.</summary>
    /// <param name="keyType">The key element type name (e.g. <c>int64</c>, <c>string</c>).</param>
    /// <param name="valueType">The value type.</param>
    /// <returns>The type.</returns>
    public static TypeDescription Map(string keyType, TypeDescription valueType)
    {
        ArgumentNullException.ThrowIfNull(keyType);
        ArgumentNullException.ThrowIfNull(valueType);
        return new TypeDescription(ValueKind.Map, string.Empty, null, keyType, valueType);
    }

    /// <summary>Describes an optional type.</summary>
    /// <param name="element">The type of the value when present.</param>
    /// <returns>The type.</returns>
    public static TypeDescription Optional(TypeDescription element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return new TypeDescription(ValueKind.Optional, string.Empty, null, string.Empty, element);
    }

    /// <summary>Returns the type in ONNX notation, e.g. <c>tensor(float)[batch, 4]</c> or <c>sequence(map(string, tensor(float)[...]))</c>.</summary>
    /// <returns>The text used in messages.</returns>
    public override string ToString() => Append(new StringBuilder()).ToString();

    private StringBuilder Append(StringBuilder sb) => Kind switch
    {
        ValueKind.Tensor => sb.Append("tensor(").Append(ElementType).Append(')').Append(ShapeText.Format(Shape)),
        ValueKind.Map => Element!.Append(sb.Append("map(").Append(KeyType).Append(", ")).Append(')'),
        _ => Element!.Append(sb.Append(Kind == ValueKind.Sequence ? "sequence(" : "optional(")).Append(')'),
    };
}
