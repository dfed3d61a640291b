using System.Buffers;
using System.Globalization;
using AmiVault.Blocks;
using AmiVault.Catalog;

namespace AmiVault.Protocols.Ebs;

/// <summary>GET /snapshots/{id}/blocks/{index}?blockToken=: the data of one block of a completed snapshot.</summary>
internal sealed class GetSnapshotBlock(ISnapshotCatalog snapshots, IBlockStore blocks, BlockKeys keys, EbsTokens tokens) : IEbsOperation
{
    public EbsOperation Operation => EbsOperation.GetSnapshotBlock;

    public async Task ExecuteAsync(EbsCall call)
    {
        var snapshotId = call.SnapshotId;
        var blockIndex = EbsValidation.BlockIndex(call.Route.BlockIndex);
        var token = EbsValidation.Token(call.Query("blockToken"), "BlockToken", EbsReason.InvalidBlockToken);
        var snapshot = await EbsValidation.OwnedSnapshotAsync(snapshots, snapshotId, call.AccountId, call.Aborted);
        EbsValidation.Completed(snapshot);

        var block = await snapshots.GetBlockAsync(snapshotId, blockIndex, call.Aborted);
        if (block is null || !tokens.IsValidBlockToken(token, snapshotId, blockIndex, block.Hash))
        {
            throw EbsException.Validation(EbsReason.InvalidBlockToken, $"The block token is not valid for block {blockIndex} of {snapshotId}, or it has expired.");
        }

        // The catalog keeps the block's address; the checksum is the SHA-256 of its data, which the address gives back.
        var scope = keys.For(snapshot);
        var buffer = ArrayPool<byte>.Shared.Rent(IBlockStore.BlockSize);
        try
        {
            try
            {
                await blocks.ReadAsync(scope, block.Hash, buffer, call.Aborted);
            }
            catch (Exception e) when (e is BlockMissingException or BlockDamagedException)
            {
                // Never bytes that are not the block: the client sees the store's fault, in the protocol's own terms.
                throw new EbsException("InternalServerException", 500, $"Block {blockIndex} of {snapshotId} cannot be read: {e.Message}");
            }

            var response = call.Http.Response;
            response.StatusCode = 200;
            response.ContentType = "application/octet-stream";
            response.ContentLength = IBlockStore.BlockSize;
            response.Headers["x-amz-Data-Length"] = IBlockStore.BlockSize.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-amz-Checksum"] = Convert.ToBase64String(scope.Sha256Of(block.Hash));
            response.Headers["x-amz-Checksum-Algorithm"] = "SHA256";
            await response.Body.WriteAsync(buffer.AsMemory(0, IBlockStore.BlockSize), call.Aborted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
