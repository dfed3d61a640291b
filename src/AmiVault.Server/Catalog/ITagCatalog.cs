namespace AmiVault.Catalog;

/// <summary>Tags of images and snapshots, per owner. At most 50 per resource (EC2's limit), enforced by callers.</summary>
internal interface ITagCatalog
{
    /// <summary>Adds or overwrites tags on a resource of the owner.</summary>
    Task SetAsync(string ownerId, string resourceId, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default);

    /// <summary>Removes tags: a key with a null value removes it whatever its value; with a value only when it matches.</summary>
    Task DeleteAsync(string resourceId, IReadOnlyList<KeyValuePair<string, string?>> tags, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<KeyValuePair<string, string>>> GetAsync(string resourceId, CancellationToken cancellationToken = default);

    /// <summary>Tags of many resources in one query (Describe* answers).</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>> GetManyAsync(IReadOnlyCollection<string> resourceIds, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TagRecord>> ListAsync(string ownerId, CancellationToken cancellationToken = default);
}
