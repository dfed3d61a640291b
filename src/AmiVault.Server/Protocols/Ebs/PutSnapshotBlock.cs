using System.Buffers;
using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.IO;

namespace AmiVault.Protocols.Ebs;

/// <summary>
/// PUT /snapshots/{id}/blocks/{index}: one 512 KiB block into a pending snapshot of the caller. The body goes into
/// a pooled buffer of exactly one block, its SHA-256 must equal the signed x-amz-Checksum before anything is
/// stored; the data lands in the block store (encrypted when the snapshot is, at its address in the owner's scope) and
/// the index in the catalog under the store's per-hash lock.
/// </summary>
internal sealed class PutSnapshotBlock(ISnapshotCatalog snapshots, IBlockStore blocks, BlockKeys keys, SnapshotWriteGates gates, TimeProvider time) : IEbsOperation
{
    /// <summary>The deadline moves with each write, but is saved at most this often per snapshot.</summary>
    private static readonly TimeSpan DeadlineSlack = TimeSpan.FromMinutes(1);

    public EbsOperation Operation => EbsOperation.PutSnapshotBlock;

    public async Task ExecuteAsync(EbsCall call)
    {
        var snapshotId = call.SnapshotId;
        var blockIndex = EbsValidation.BlockIndex(call.Route.BlockIndex);
        var dataLength = EbsValidation.RequiredInteger(call.Header("x-amz-Data-Length"), "x-amz-Data-Length", 0, int.MaxValue);
        if (dataLength != IBlockStore.BlockSize)
        {
            throw EbsException.Validation(EbsReason.InvalidBlock, $"x-amz-Data-Length is {dataLength}; blocks are exactly {IBlockStore.BlockSize} bytes.");
        }

        var expected = EbsValidation.Sha256Checksum(call.Header("x-amz-Checksum"), call.Header("x-amz-Checksum-Algorithm"));
        var progress = (int?)EbsValidation.Integer(call.Header("x-amz-Progress"), "x-amz-Progress", 0, 100);

        // Cheap refusals before the body is read; they are checked again once the write is admitted.
        var snapshot = await EbsValidation.OwnedSnapshotAsync(snapshots, snapshotId, call.AccountId, call.Aborted);
        EbsValidation.Pending(snapshot);
        EbsValidation.WithinVolume(blockIndex, snapshot);
        if (call.Http.Request.ContentLength is { } declared && declared != IBlockStore.BlockSize)
        {
            throw EbsException.Validation(EbsReason.InvalidBlock, $"The body is {declared} bytes; blocks are exactly {IBlockStore.BlockSize} bytes.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(IBlockStore.BlockSize);
        try
        {
            var block = buffer.AsMemory(0, IBlockStore.BlockSize);
            var length = await BoundedBody.ReadAsync(call.Http.Request.Body, block, call.Aborted);
            if (length != IBlockStore.BlockSize)
            {
                throw EbsException.Validation(EbsReason.InvalidBlock, $"The body is {(length < 0 ? "more than " + IBlockStore.BlockSize : length)} bytes; blocks are exactly {IBlockStore.BlockSize} bytes.");
            }

            var hash = SHA256.HashData(block.Span);
            if (!CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                throw EbsException.Validation(EbsReason.InvalidBlock,
                    $"The block's SHA-256 is {Convert.ToBase64String(hash)}, not the x-amz-Checksum {Convert.ToBase64String(expected)}; nothing was written.");
            }

            await StoreAsync(call, snapshotId, blockIndex, hash, block, progress);
            call.Http.Response.Headers["x-amz-Checksum"] = Convert.ToBase64String(hash);
            call.Http.Response.Headers["x-amz-Checksum-Algorithm"] = "SHA256";
            await call.RespondJsonAsync(201, _ => { });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task StoreAsync(EbsCall call, string snapshotId, long blockIndex, byte[] hash, ReadOnlyMemory<byte> block, int? progress)
    {
        using var lease = gates.TryEnterWrite(snapshotId) ?? throw NotPendingAnyMore(snapshotId);

        // Inside the gate the status cannot leave pending until this write is done.
        var snapshot = await snapshots.GetAsync(snapshotId, call.Aborted);
        if (snapshot?.Status != SnapshotStatus.Pending)
        {
            lease.Dispose();
            gates.ForgetIfIdle(snapshotId);
            throw snapshot is null ? EbsException.SnapshotNotFound(snapshotId) : NotPendingAnyMore(snapshotId);
        }

        byte[]? replaced = null;
        var scope = keys.For(snapshot);
        var address = scope.AddressOf(hash);
        await blocks.PutAsync(scope, address, block, async () => replaced = await snapshots.PutBlockAsync(snapshotId, blockIndex, address, call.Aborted), call.Aborted);
        if (replaced is not null)
        {
            await blocks.ReclaimAsync([replaced], call.Aborted);
        }

        if (NeedsUpdate(snapshot, progress))
        {
            await RefreshRecordAsync(lease, snapshotId, progress, call.Aborted);
        }
    }

    /// <summary>Most writes change neither progress nor (by a minute or more) the deadline: no record write for them.</summary>
    private bool NeedsUpdate(SnapshotRecord snapshot, int? progress) =>
        (progress is { } p && p != snapshot.Progress)
        || snapshot.Deadline is not { } current
        || time.GetUtcNow().AddMinutes(snapshot.TimeoutMinutes ?? 60) - current >= DeadlineSlack;

    /// <summary>Saves a new progress, and pushes the timeout deadline forward (the timeout counts from the last write).</summary>
    private async Task RefreshRecordAsync(SnapshotWriteGates.WriteLease lease, string snapshotId, int? progress, CancellationToken cancellationToken)
    {
        await lease.RecordLock.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await snapshots.GetAsync(snapshotId, cancellationToken);
            if (snapshot is null)
            {
                return;
            }

            // Looked at again under the lock: another writer may have saved the same change meanwhile.
            if (NeedsUpdate(snapshot, progress))
            {
                var deadline = time.GetUtcNow().AddMinutes(snapshot.TimeoutMinutes ?? 60);
                var moveDeadline = snapshot.Deadline is not { } current || deadline - current >= DeadlineSlack;
                await snapshots.UpdateAsync(snapshot with
                {
                    Deadline = moveDeadline ? deadline : snapshot.Deadline,
                    Progress = progress ?? snapshot.Progress,
                }, cancellationToken);
            }
        }
        finally
        {
            lease.RecordLock.Release();
        }
    }

    private static EbsException NotPendingAnyMore(string snapshotId) =>
        EbsException.Validation(EbsReason.InvalidSnapshotId, $"The snapshot {snapshotId} is no longer pending; blocks can only be written to a pending snapshot.");
}
