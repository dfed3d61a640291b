namespace AmiVault.Blocks;

/// <summary>
/// A pack object's body without copying: the pack header, then a batch's records straight from the writers' buffers.
/// Seekable, so that the S3 client knows the length and can send it again on a retry.
/// </summary>
internal sealed class PackBatchStream : Stream
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>> _parts;
    private readonly long _length;
    private long _position;

    public PackBatchStream(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        _parts = parts;
        _length = parts.Sum(p => (long)p.Length);
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(Span<byte> buffer)
    {
        var copied = 0;
        var start = 0L;
        foreach (var part in _parts)
        {
            if (copied == buffer.Length)
            {
                break;
            }

            var end = start + part.Length;
            if (_position < end)
            {
                var from = (int)(_position - start);
                var count = Math.Min(part.Length - from, buffer.Length - copied);
                part.Span.Slice(from, count).CopyTo(buffer[copied..]);
                copied += count;
                _position += count;
            }

            start = end;
        }

        return copied;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
