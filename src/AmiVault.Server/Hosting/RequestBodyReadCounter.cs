namespace AmiVault.Hosting;

/// <summary>
/// The request body as the server received it, counting what was read of it, so that the answer can tell whether the
/// connection's framing is still sound (see <see cref="ConnectionFraming"/>). Every reader goes through it: the
/// protocols read <c>Request.Body</c>, and ASP.NET Core's <c>BodyReader</c> follows a replaced <c>Body</c>.
/// </summary>
internal sealed class RequestBodyReadCounter(Stream inner) : Stream
{
    public long BytesRead { get; private set; }

    /// <summary>A read found the body's end.</summary>
    public bool Ended { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count), count);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken), buffer.Length);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read, int asked)
    {
        BytesRead += read;
        Ended |= read == 0 && asked > 0;
        return read;
    }
}
