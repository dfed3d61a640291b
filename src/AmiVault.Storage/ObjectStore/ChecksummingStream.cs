namespace AmiVault.ObjectStore;

/// <summary>
/// Passes a body through while computing its flexible checksum. With an <c>expected</c> value (from a header, or a
/// trailer known only once the body is read) the read that reaches the end fails when they differ (BadDigest), so
/// nothing is committed; without one the checksum is only computed (a part of an upload whose algorithm the client
/// did not send). <see cref="Value"/> is the checksum once the end is reached: what a store keeps with the data.
/// </summary>
internal sealed class ChecksummingStream(Stream inner, FlexibleChecksum checksum, Func<string?>? expected) : ReadOnlyStream
{
    public string Algorithm => checksum.Algorithm;

    public string Header => checksum.Header;

    /// <summary>Whether the client sent the value (and it was, or will be, verified).</summary>
    public bool Sent => expected is not null;

    /// <summary>The checksum, once the end of the body was read (and it held).</summary>
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

        if (Value is null)
        {
            var actual = checksum.Finish();
            if (expected is not null)
            {
                var sent = expected() ?? throw ObjectStoreErrors.InvalidRequest($"The request declared {checksum.Header} but did not send it.");
                if (sent != actual)
                {
                    throw new ObjectStoreException("BadDigest", $"The {checksum.Algorithm} you specified did not match the calculated checksum.", 400);
                }
            }

            Value = actual;
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
