using System.Security.Cryptography;

namespace AmiVault.ObjectStore.External;

/// <summary>
/// Passes a body of known length through to the SDK, counting it and, unless its MD5 is already known
/// (<c>hash: false</c>), taking its MD5 to check the ETag the server answers with. It reports a length and a position because the SDK only streams a part from a seekable stream; it cannot
/// really seek, so the SDK cannot replay it (a failed upload is retried by the caller, from its own data).
/// </summary>
internal sealed class HashingReadStream(Stream inner, long length, bool hash = true) : ReadOnlyStream
{
    private readonly IncrementalHash? _md5 = hash ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;

    public override bool CanSeek => true;

    public override long Length => length;

    public override long Position
    {
        get => BytesRead;
        set => Seek(value, SeekOrigin.Begin);
    }

    public long BytesRead { get; private set; }

    public byte[] Md5() => (_md5 ?? throw new InvalidOperationException("This body was not hashed.")).GetCurrentHash();

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer[..Limit(buffer.Length)]);
        Account(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer[..Limit(buffer.Length)], cancellationToken);
        Account(buffer.Span[..read]);
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => BytesRead + offset,
            _ => length + offset,
        };
        return target == BytesRead ? target : throw new NotSupportedException("A streamed body cannot be replayed.");
    }

    private int Limit(int wanted) => (int)Math.Min(wanted, length - BytesRead);

    private void Account(ReadOnlySpan<byte> data)
    {
        _md5?.AppendData(data);
        BytesRead += data.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _md5?.Dispose();
        }

        base.Dispose(disposing);
    }
}
