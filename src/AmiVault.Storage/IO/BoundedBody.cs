namespace AmiVault.IO;

/// <summary>Reads a request body into a caller's buffer without ever taking more than the buffer holds.</summary>
internal static class BoundedBody
{
    /// <summary>
    /// The body's length, or -1 when it is longer than <paramref name="buffer"/>. A body that fills the buffer
    /// exactly is read once more to its end, which also lets a hash-checking body stream verify it.
    /// </summary>
    public static async Task<int> ReadAsync(Stream body, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await body.ReadAsync(buffer[total..], cancellationToken);
            if (read == 0)
            {
                return total;
            }

            total += read;
        }

        return await body.ReadAsync(new byte[1], cancellationToken) == 0 ? total : -1;
    }
}
