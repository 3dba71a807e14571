using System.Buffers;
using System.Runtime.CompilerServices;

namespace ModelBuild.Runtime;

/// <summary>A <see cref="MemoryManager{T}"/> over native memory owned by someone else (an ONNX Runtime output value).</summary>
internal sealed unsafe class NativeMemoryManager<T> : MemoryManager<T>
{
    private readonly void* _pointer;
    private readonly int _length;

    public NativeMemoryManager(IntPtr pointer, int length)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            throw new NotSupportedException($"{typeof(T)} cannot live in native memory.");
        }

        _pointer = (void*)pointer;
        _length = length;
    }

    public IntPtr Pointer => (IntPtr)_pointer;

    public override Span<T> GetSpan() => new(_pointer, _length);

    // Native memory does not move: pinning only computes the address.
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle((byte*)_pointer + ((long)elementIndex * Unsafe.SizeOf<T>()));
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        // The memory belongs to the OrtValue, which ModelResults disposes.
    }
}
