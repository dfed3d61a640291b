namespace AmiVault.ObjectStore;

/// <summary>A page of keys and common prefixes in key order; <see cref="NextContinuationToken"/> is set when truncated.</summary>
internal sealed record ObjectListing(
    IReadOnlyList<ObjectSummary> Objects,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextContinuationToken);
