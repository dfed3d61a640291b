namespace AmiVault.Transfers;

/// <summary>The first line of a copy journal: what is being copied where, and the multipart upload doing it.</summary>
internal sealed record CopyJournalHeader(
    string SourceEndpoint,
    string SourceBucket,
    string SourceKey,
    string SourceETag,
    long SourceSize,
    string DestinationEndpoint,
    string DestinationBucket,
    string DestinationKey,
    string UploadId,
    long PartSize,
    DateTimeOffset Started)
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
}
