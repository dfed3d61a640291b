namespace AmiVault.Transfers;

internal sealed record SyncOptions
{
    /// <summary>How each object is copied; its <see cref="ObjectCopyOptions.Budget"/> is shared by all the objects in flight.</summary>
    public required ObjectCopyOptions Copy { get; init; }

    /// <summary>Objects copied at the same time (each with up to <see cref="ObjectCopyOptions.Parallel"/> parts in flight).</summary>
    public int Objects { get; init; } = 4;

    public SyncFilter Filter { get; init; } = SyncFilter.Everything;

    /// <summary>Plan and report, write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Delete destination archives whose source is gone; never without being asked (archives outlive their source).</summary>
    public bool Delete { get; init; }
}
