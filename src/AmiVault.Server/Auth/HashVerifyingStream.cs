using System.Security.Cryptography;

namespace AmiVault.Auth;

/// <summary>
/// Passes a request body through while hashing it, and fails the read that reaches the end when the SHA-256
/// differs from the signed x-amz-content-sha256, so a consumer never commits a body that was tampered with.
/// </summary>
internal sealed class HashVerifyingStream(Stream inner, byte[] expectedSha256) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _verified;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        return Account(buffer[..read]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Account(buffer.Span[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            _hash.AppendData(data);
            return data.Length;
        }

        if (!_verified)
        {
            Span<byte> actual = stackalloc byte[32];
            _hash.GetHashAndReset(actual);
            if (!CryptographicOperations.FixedTimeEquals(actual, expectedSha256))
            {
                throw new AuthFailureException(
                    AuthFailureKind.ContentHashMismatch,
                    "The provided 'x-amz-content-sha256' header does not match what was computed.");
            }

            _verified = true;
        }

        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
