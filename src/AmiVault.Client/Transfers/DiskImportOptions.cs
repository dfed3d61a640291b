namespace AmiVault.Transfers;

/// <summary>How a disk image becomes a snapshot.</summary>
internal sealed record DiskImportOptions
{
    /// <summary>The volume size in GiB; null for the image's size rounded up to whole GiB.</summary>
    public long? VolumeSizeGib { get; init; }

    public string? Description { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>Blocks in flight (coldsnap and AWS's guidance: about 64).</summary>
    public int Parallel { get; init; } = 64;
}
