namespace AmiVault.Transfers;

internal sealed record ObjectCopyOptions
{
    /// <summary>Parts in flight; lowered when parts are large so that <see cref="MemoryBudget"/> holds.</summary>
    public int Parallel { get; init; } = 8;

    /// <summary>The part size; null to match the source's parts when it is multipart, else 8 MiB or more.</summary>
    public long? PartSize { get; init; }

    /// <summary>Part buffers in memory at once, at most: parallel × part size.</summary>
    public long MemoryBudget { get; init; } = 256L << 20;

    /// <summary>A budget shared with other copies running at the same time (sync); null for one of this copy's own of <see cref="MemoryBudget"/>.</summary>
    public TransferBudget? Budget { get; init; }

    /// <summary>Where the record of an unfinished copy is kept, so that the next run resumes it.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>Discard an unfinished copy of the same destination and start over.</summary>
    public bool Restart { get; init; }

    /// <summary>Attempts per part (a ranged GET and an UploadPart), the first included.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Read the whole copy back and check every frame when it is an archive (more than the digest of its index).</summary>
    public bool VerifyArchiveFully { get; init; }
}
