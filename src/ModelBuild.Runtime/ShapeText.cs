using System.Globalization;
using System.Text;

namespace ModelBuild.Runtime;

internal static class ShapeText
{
    public static string Format(IReadOnlyList<Dimension>? shape)
    {
        if (shape is null)
        {
            return "[...]";
        }

        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(shape[i].ToString());
        }

        return sb.Append(']').ToString();
    }

    public static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(dims[i].ToString(CultureInfo.InvariantCulture));
        }

        return sb.Append(']').ToString();
    }
}
