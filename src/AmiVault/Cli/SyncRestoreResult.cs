namespace AmiVault.Cli;

/// <summary>
/// What `sync --restore` did with one archive: whether it restored a new image (now available), and the image that
/// is available at the destination (null when the object is not an AmiVault archive, or a stop came first), with what
/// the archive says of the stored image: its name (what its alias is named after), ID and creation date.
/// </summary>
internal sealed record SyncRestoreResult(bool Restored, string? AvailableImageId, string? StoredName, string? SourceImageId, DateTimeOffset SourceCreated)
{
    public static readonly SyncRestoreResult None = new(false, null, null, null, default);
}
