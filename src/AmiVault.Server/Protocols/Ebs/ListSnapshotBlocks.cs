using AmiVault.Catalog;

namespace AmiVault.Protocols.Ebs;

/// <summary>GET /snapshots/{id}/blocks: the written block indexes of a completed snapshot, each with a block token.</summary>
internal sealed class ListSnapshotBlocks(ISnapshotCatalog snapshots, EbsTokens tokens) : IEbsOperation
{
    public EbsOperation Operation => EbsOperation.ListSnapshotBlocks;

    public async Task ExecuteAsync(EbsCall call)
    {
        var snapshotId = call.SnapshotId;
        var scope = "blocks:" + snapshotId;
        var snapshot = await EbsValidation.OwnedSnapshotAsync(snapshots, snapshotId, call.AccountId, call.Aborted);
        var (start, maxResults) = EbsPaging.Read(call, tokens, scope);
        EbsValidation.Completed(snapshot);

        // One row more than a page tells whether another page follows.
        var rows = await snapshots.ListBlocksAsync(snapshotId, start, maxResults + 1, call.Aborted);
        var page = rows.Take(maxResults).ToList();
        long? next = rows.Count > maxResults ? page[^1].BlockIndex + 1 : null;
        var expiry = tokens.NewExpiry();

        await call.RespondJsonAsync(200, json =>
        {
            json.WriteStartArray("Blocks");
            foreach (var block in page)
            {
                json.WriteStartObject();
                json.WriteNumber("BlockIndex", block.BlockIndex);
                json.WriteString("BlockToken", tokens.ForBlock(snapshotId, block.BlockIndex, block.Hash, expiry));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            EbsPaging.WriteTail(json, tokens, scope, expiry, snapshot.VolumeSizeGib, next);
        });
    }
}
