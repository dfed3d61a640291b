using AmiVault.Catalog;

namespace AmiVault.Protocols.Ebs;

/// <summary>
/// GET /snapshots/{second}/changedblocks?firstSnapshotId=: the block indexes whose data differs between two
/// completed snapshots of the caller (present in one only, or with another hash), with a token for each side
/// that has the block. Without a first snapshot every written block of the second is listed.
/// </summary>
internal sealed class ListChangedBlocks(ISnapshotCatalog snapshots, EbsTokens tokens) : IEbsOperation
{
    /// <summary>How many pages of both indexes one request may scan for changes before it answers with what it has.</summary>
    private const int MaxScanRounds = 16;

    public EbsOperation Operation => EbsOperation.ListChangedBlocks;

    public async Task ExecuteAsync(EbsCall call)
    {
        var secondId = call.SnapshotId;
        var firstId = call.Query("firstSnapshotId") is { } first ? EbsValidation.SnapshotId(first, "FirstSnapshotId") : null;
        var scope = $"changed:{firstId}:{secondId}";
        var second = await EbsValidation.OwnedSnapshotAsync(snapshots, secondId, call.AccountId, call.Aborted);
        var firstSnapshot = firstId is null ? null : await EbsValidation.OwnedSnapshotAsync(snapshots, firstId, call.AccountId, call.Aborted);
        var (start, maxResults) = EbsPaging.Read(call, tokens, scope);
        EbsValidation.Completed(second);
        if (firstSnapshot is not null)
        {
            EbsValidation.Completed(firstSnapshot);
        }

        var (changes, next) = await DiffAsync(firstId, secondId, start, maxResults, call.Aborted);
        var expiry = tokens.NewExpiry();
        await call.RespondJsonAsync(200, json =>
        {
            json.WriteStartArray("ChangedBlocks");
            foreach (var (index, firstHash, secondHash) in changes)
            {
                json.WriteStartObject();
                json.WriteNumber("BlockIndex", index);
                if (firstHash is not null)
                {
                    json.WriteString("FirstBlockToken", tokens.ForBlock(firstId!, index, firstHash, expiry));
                }

                if (secondHash is not null)
                {
                    json.WriteString("SecondBlockToken", tokens.ForBlock(secondId, index, secondHash, expiry));
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            EbsPaging.WriteTail(json, tokens, scope, expiry, second.VolumeSizeGib, next);
        });
    }

    /// <summary>Merges both block indexes page by page from <paramref name="start"/>; only indexes both pages cover are compared.</summary>
    private async Task<(List<(long Index, byte[]? First, byte[]? Second)> Changes, long? Next)> DiffAsync(
        string? firstId, string secondId, long start, int maxResults, CancellationToken cancellationToken)
    {
        var changes = new List<(long, byte[]?, byte[]?)>();
        var cursor = start;
        for (var round = 0; round < MaxScanRounds; round++)
        {
            IReadOnlyList<SnapshotBlock> a = firstId is null ? [] : await snapshots.ListBlocksAsync(firstId, cursor, maxResults, cancellationToken);
            var b = await snapshots.ListBlocksAsync(secondId, cursor, maxResults, cancellationToken);
            var aFull = a.Count == maxResults;
            var bFull = b.Count == maxResults;
            var covered = Math.Min(aFull ? a[^1].BlockIndex : long.MaxValue, bFull ? b[^1].BlockIndex : long.MaxValue);

            int i = 0, j = 0;
            while (true)
            {
                var ai = i < a.Count && a[i].BlockIndex <= covered ? a[i] : null;
                var bj = j < b.Count && b[j].BlockIndex <= covered ? b[j] : null;
                if (ai is null && bj is null)
                {
                    break;
                }

                var index = Math.Min(ai?.BlockIndex ?? long.MaxValue, bj?.BlockIndex ?? long.MaxValue);
                var firstHash = ai?.BlockIndex == index ? a[i++].Hash : null;
                var secondHash = bj?.BlockIndex == index ? b[j++].Hash : null;
                if (firstHash is not null && secondHash is not null && firstHash.AsSpan().SequenceEqual(secondHash))
                {
                    continue;
                }

                changes.Add((index, firstHash, secondHash));
                if (changes.Count == maxResults)
                {
                    return (changes, index + 1);
                }
            }

            if (!aFull && !bFull)
            {
                return (changes, null);
            }

            cursor = covered + 1;
        }

        return (changes, cursor);
    }
}
