using AmiVault.ObjectStore;

namespace AmiVault.Protocols.S3;

/// <summary>
/// Passes a decoded body through while computing its flexible checksum, and fails the read that reaches the end when
/// it differs from the one sent (in a header, or in a trailer known only once the body is read).
/// </summary>
internal sealed class ChecksumVerifyingStream(Stream inner, S3Checksum checksum, Func<string?> expected) : ReadOnlyStream
{
    private bool _verified;

    public string Header => checksum.Header;

    /// <summary>The checksum, once verified at the end of the body.</summary>
    public string? Value { get; private set; }

    public override int Read(Span<byte> buffer) => Account(buffer[..inner.Read(buffer)]);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Account(buffer.Span[..read]);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            checksum.Append(data);
            return data.Length;
        }

        if (!_verified)
        {
            var sent = expected() ?? throw ObjectStoreErrors.InvalidRequest($"The request declared {checksum.Header} but did not send it.");
            var actual = checksum.Finish();
            if (sent != actual)
            {
                var name = checksum.Header["x-amz-checksum-".Length..].ToUpperInvariant();
                throw new ObjectStoreException("BadDigest", $"The {name} you specified did not match the calculated checksum.", 400);
            }

            Value = actual;
            _verified = true;
        }

        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            checksum.Dispose();
        }

        base.Dispose(disposing);
    }
}
