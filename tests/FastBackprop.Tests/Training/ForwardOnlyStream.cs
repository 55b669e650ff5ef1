namespace FastBackprop.Tests.Training;

/// <summary>
/// A pipe: reads a byte array front to back, or collects what is written, and cannot seek or tell its length.
/// </summary>
internal sealed class ForwardOnlyStream : Stream
{
    private readonly MemoryStream _inner;
    private readonly bool _writable;

    /// <summary>A stream to read <paramref name="bytes"/> from.</summary>
    public ForwardOnlyStream(byte[] bytes) => _inner = new MemoryStream(bytes);

    /// <summary>A stream to write to.</summary>
    public ForwardOnlyStream()
    {
        _inner = new MemoryStream();
        _writable = true;
    }

    /// <summary>Everything written so far.</summary>
    public byte[] Written => _inner.ToArray();

    public override bool CanRead => !_writable;

    public override bool CanSeek => false;

    public override bool CanWrite => _writable;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _writable ? throw new NotSupportedException() : _inner.Read(buffer, offset, count);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (!_writable)
        {
            throw new NotSupportedException();
        }

        _inner.Write(buffer, offset, count);
    }
}
