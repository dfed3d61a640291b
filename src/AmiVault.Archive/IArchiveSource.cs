namespace AmiVault.Archive;

/// <summary>Random access to the bytes of an archive: a local file, or an S3 object read with ranged GETs.</summary>
public interface IArchiveSource
{
    long Length { get; }

    /// <summary>
    /// Fills <paramref name="buffer"/> with the bytes at <paramref name="offset"/>; throws
    /// <see cref="EndOfStreamException"/> if the object ends first. May be called concurrently.
    /// </summary>
    ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);
}
