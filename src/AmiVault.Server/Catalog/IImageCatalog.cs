namespace AmiVault.Catalog;

/// <summary>Images of all accounts. Callers check ownership; the catalog keeps rows consistent.</summary>
internal interface IImageCatalog
{
    /// <summary>
    /// Inserts an image with its tags; <see cref="CatalogConflictException"/> when the owner has an image of that name
    /// or a mapped snapshot is not a snapshot of the owner.
    /// </summary>
    Task InsertAsync(ImageRecord image, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default);

    Task<ImageRecord?> GetAsync(string imageId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ImageRecord>> ListAsync(string ownerId, CancellationToken cancellationToken = default);

    Task<ImageRecord?> FindByNameAsync(string ownerId, string name, CancellationToken cancellationToken = default);

    Task UpdateStateAsync(string imageId, string state, string? reasonCode, string? reasonMessage, CancellationToken cancellationToken = default);

    /// <summary>Removes the image and its tags; false when there was none.</summary>
    Task<bool> DeleteAsync(string imageId, CancellationToken cancellationToken = default);

    /// <summary>The id of an image whose block device mappings name the snapshot, if any (DeleteSnapshot's InUse check).</summary>
    Task<string?> FindImageUsingSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default);
}
