namespace AmiVault.Catalog;

/// <summary>Whether the catalog can serve: reachable, and its schema at the version this release writes (for /readyz).</summary>
internal interface ICatalogHealth
{
    /// <summary>Null when the catalog answers and its schema is this release's; otherwise what is wrong, in a sentence.</summary>
    Task<string?> ProblemAsync(CancellationToken cancellationToken = default);
}
