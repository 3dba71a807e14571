using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace ModelBuild.Onnx;

/// <summary>
/// Reads the first <c>length</c> bytes of an open file through its handle (no new open of the path) and hashes what it
/// reads, so a reader can parse a file it checked earlier without holding all its bytes, and tell whether the bytes
/// parsed are the bytes checked.
/// </summary>
internal sealed class HashingHandleStream(SafeFileHandle handle, long length) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;
    private string? _sha256;

    /// <summary>SHA-256 (lower-case hex) of the bytes read so far (until disposed: a parser may dispose the stream it reads).</summary>
    public string Sha256() => _sha256 ?? Convert.ToHexStringLower(_hash.GetCurrentHash());

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read = RandomAccess.Read(handle, buffer[..(int)Math.Min(buffer.Length, length - _position)], _position);
        _hash.AppendData(buffer[..read]);
        _position += read;
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _sha256 is null)
        {
            _sha256 = Sha256();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
