using AmiVault.Archive;

namespace AmiVault.Transfers;

/// <summary>What a copy did and how it was checked.</summary>
/// <param name="PartsSent">Parts this run sent; the rest were found at the destination from an interrupted run.</param>
/// <param name="SameETag">Whether the destination's ETag equals the source's (same bytes in the same part layout).</param>
/// <param name="Archive">The copy's archive statistics when the object is an AmiVault archive, checked at the destination.</param>
internal sealed record ObjectCopyResult(
    long Size,
    string SourceETag,
    string DestinationETag,
    int Parts,
    long PartSize,
    int PartsSent,
    int PartsResumed,
    int MetadataCount,
    int TagCount,
    bool SameETag,
    string? ArchiveImageId,
    ArchiveStatistics? Archive,
    TimeSpan Elapsed);
