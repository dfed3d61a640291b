namespace AmiVault.ObjectStore;

/// <summary>
/// One page of a listing. <see cref="ContinuationToken"/> is the opaque token of the previous page;
/// <see cref="StartAfter"/> a key to start after (ListObjects' marker, ListObjectsV2's start-after).
/// </summary>
internal sealed record ListObjectsQuery
{
    public string Prefix { get; init; } = "";

    public string? Delimiter { get; init; }

    public string? StartAfter { get; init; }

    public string? ContinuationToken { get; init; }

    public int MaxKeys { get; init; } = 1000;
}
