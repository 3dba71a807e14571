// netstandard2.0 lacks the types below; the compiler only needs them to exist (internal is enough).
namespace System.Runtime.CompilerServices
{
    /// <summary>Enables <c>init</c> accessors and records on netstandard2.0.</summary>
    internal static class IsExternalInit
    {
    }
}
