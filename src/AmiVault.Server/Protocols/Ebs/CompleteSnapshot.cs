using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Ebs;

namespace AmiVault.Protocols.Ebs;

/// <summary>
/// POST /snapshots/completion/{id}: seals a pending snapshot once no block write is in flight. A ChangedBlocksCount
/// that differs from the blocks written to this snapshot (not those inherited from its parent) is refused and the
/// snapshot stays pending; a LINEAR checksum that differs puts it in error with a StateMessage. The answer is
/// AWS's <c>{"Status":"pending"}</c>; the final state is already in the catalog when it is sent.
/// </summary>
internal sealed class CompleteSnapshot(ISnapshotCatalog snapshots, BlockKeys keys, SnapshotWriteGates gates, TimeProvider time) : IEbsOperation
{
    private const int ChecksumPage = 10000;

    public EbsOperation Operation => EbsOperation.CompleteSnapshot;

    public async Task ExecuteAsync(EbsCall call)
    {
        var snapshotId = call.SnapshotId;
        var changedBlocks = EbsValidation.RequiredInteger(call.Header("x-amz-ChangedBlocksCount"), "x-amz-ChangedBlocksCount", 0, int.MaxValue);
        var checksumText = call.Header("x-amz-Checksum");
        var aggregation = call.Header("x-amz-Checksum-Aggregation-Method");
        byte[]? expected = null;
        if (checksumText is not null)
        {
            expected = EbsValidation.Sha256Checksum(checksumText, call.Header("x-amz-Checksum-Algorithm"));
            if (aggregation != "LINEAR")
            {
                throw EbsException.Validation(EbsReason.InvalidParameterValue, $"x-amz-Checksum-Aggregation-Method '{EbsValidation.Truncate(aggregation)}' is not supported; use LINEAR.");
            }
        }

        var snapshot = await EbsValidation.OwnedSnapshotAsync(snapshots, snapshotId, call.AccountId, call.Aborted);
        EbsValidation.Pending(snapshot);

        using (var closure = await gates.CloseAsync(snapshotId, call.Aborted))
        {
            snapshot = await EbsValidation.OwnedSnapshotAsync(snapshots, snapshotId, call.AccountId, call.Aborted);
            EbsValidation.Pending(snapshot);

            var written = await snapshots.CountWrittenBlocksAsync(snapshotId, call.Aborted);
            if (written != changedBlocks)
            {
                throw EbsException.Validation(EbsReason.InvalidParameterValue,
                    $"x-amz-ChangedBlocksCount is {changedBlocks}, but {written} blocks were written to {snapshotId}. The snapshot is still pending.");
            }

            var actual = expected is null ? null : await LinearChecksumAsync(snapshotId, keys.For(snapshot), call.Aborted);
            var sealedSnapshot = actual is not null && !CryptographicOperations.FixedTimeEquals(actual, expected)
                ? snapshot with
                {
                    Status = SnapshotStatus.Error,
                    StateMessage = $"The LINEAR checksum of the written blocks is {Convert.ToBase64String(actual)}, not the {checksumText} given to CompleteSnapshot.",
                    Deadline = null,
                }
                : snapshot with
                {
                    Status = SnapshotStatus.Completed,
                    Progress = 100,
                    CompletionTime = time.GetUtcNow(),
                    Deadline = null,
                };
            await snapshots.UpdateAsync(sealedSnapshot, call.Aborted);
            closure.Retire();
        }

        await call.RespondJsonAsync(202, json => json.WriteString("Status", SnapshotStatus.Pending));
    }

    /// <summary>Over the blocks' SHA-256s, which the catalog's addresses give back in the snapshot's scope.</summary>
    private async Task<byte[]> LinearChecksumAsync(string snapshotId, BlockScope scope, CancellationToken cancellationToken)
    {
        using var linear = new LinearChecksum();
        var next = 0L;
        while (true)
        {
            var page = await snapshots.ListWrittenBlocksAsync(snapshotId, next, ChecksumPage, cancellationToken);
            foreach (var block in page)
            {
                linear.Append(scope.Sha256Of(block.Hash));
            }

            if (page.Count < ChecksumPage)
            {
                return linear.Digest();
            }

            next = page[^1].BlockIndex + 1;
        }
    }
}
