using System.Text.Json;
using AmiVault.Blocks;

namespace AmiVault.Protocols.Ebs;

/// <summary>The paging of ListSnapshotBlocks and ListChangedBlocks: MaxResults, StartingBlockIndex, page tokens.</summary>
internal static class EbsPaging
{
    private const int DefaultMaxResults = 100;

    /// <summary>Where a listing starts and how long a page may be; a page token overrides StartingBlockIndex.</summary>
    public static (long Start, int MaxResults) Read(EbsCall call, EbsTokens tokens, string scope)
    {
        var maxResults = (int)(EbsValidation.Integer(call.Query("maxResults"), "MaxResults", EbsValidation.MinMaxResults, EbsValidation.MaxMaxResults) ?? DefaultMaxResults);
        var start = EbsValidation.Integer(call.Query("startingBlockIndex"), "StartingBlockIndex", 0, int.MaxValue) ?? 0;
        if (call.Query("pageToken") is { } pageToken)
        {
            start = tokens.ReadPage(EbsValidation.Token(pageToken, "NextToken", EbsReason.InvalidPageToken), scope)
                ?? throw EbsException.Validation(EbsReason.InvalidPageToken, "The page token is not valid for this listing, or it has expired.");
        }

        return (start, maxResults);
    }

    /// <summary>Writes the members every listing answer ends with.</summary>
    public static void WriteTail(Utf8JsonWriter json, EbsTokens tokens, string scope, DateTimeOffset expiry, long volumeSizeGib, long? nextIndex)
    {
        EbsJson.WriteTime(json, "ExpiryTime", expiry);
        json.WriteNumber("VolumeSize", volumeSizeGib);
        json.WriteNumber("BlockSize", IBlockStore.BlockSize);
        EbsJson.WriteStringOrNull(json, "NextToken", nextIndex is { } next ? tokens.ForPage(scope, next, expiry) : null);
    }
}
