namespace AmiVault.Archive;

public sealed record ArchiveReadOptions
{
    /// <summary>Ranged reads (and frame decodes) in flight at once.</summary>
    public int MaxParallelReads { get; init; } = 3;

    /// <summary>Adjacent frames are read together up to about this many bytes (S3 likes reads of several MiB).</summary>
    public int ReadLength { get; init; } = 4 << 20;
}
