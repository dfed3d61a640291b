namespace AmiVault.Catalog;

/// <summary>SSM Parameter Store parameters, per account, with their versions (at most <see cref="MaxVersions"/> kept) and tags.</summary>
internal interface IParameterCatalog
{
    const int MaxVersions = 100;

    /// <summary>
    /// Adds a version (the first one, or with <paramref name="overwrite"/> the next) and returns it numbered;
    /// <see cref="CatalogConflictException"/> when the parameter exists and <paramref name="overwrite"/> is false.
    /// Tags are set only with a first version. The oldest version goes beyond <see cref="MaxVersions"/>.
    /// </summary>
    Task<ParameterVersion> PutAsync(ParameterVersion version, bool overwrite, IReadOnlyList<KeyValuePair<string, string>> tags, CancellationToken cancellationToken = default);

    /// <summary>Every version of a parameter, oldest first; empty when there is no such parameter.</summary>
    Task<IReadOnlyList<ParameterVersion>> HistoryAsync(string ownerId, string name, CancellationToken cancellationToken = default);

    /// <summary>The latest version of each parameter whose name starts with <paramref name="prefix"/> and comes after <paramref name="after"/>, by name, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ParameterVersion>> ListLatestAsync(string ownerId, string prefix, string? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Removes a parameter with all its versions and tags; false when there was none.</summary>
    Task<bool> DeleteAsync(string ownerId, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves <paramref name="labels"/> onto version <paramref name="version"/> (the latest when null) and returns its
    /// number, or null when there is no such parameter or version. <see cref="CatalogConflictException"/> when the
    /// version would carry more than <paramref name="maxLabels"/> labels.
    /// </summary>
    Task<long?> LabelAsync(string ownerId, string name, long? version, IReadOnlyList<string> labels, int maxLabels, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<KeyValuePair<string, string>>> TagsAsync(string ownerId, string name, CancellationToken cancellationToken = default);
}
