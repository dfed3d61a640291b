using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using AmiVault.Client;
using AmiVault.Ebs;

namespace AmiVault.Transfers;

/// <summary>
/// A raw disk image into an EBS snapshot through the EBS direct APIs, as coldsnap does: StartSnapshot with the
/// volume rounded up to whole GiB, every block that is not all zeros sent with its SHA-256 (64 in flight), holes of
/// a sparse image never read, then CompleteSnapshot with the block count and the LINEAR checksum. Retries and
/// per-attempt timeouts are the <see cref="EbsClient"/>'s, the one retry layer.
/// </summary>
internal sealed class SnapshotImporter(EbsClient ebs)
{
    private const long GiB = 1L << 30;

    /// <summary>The volume size the image needs, in GiB (at least 1), or the one asked for if it is large enough.</summary>
    public static long VolumeSizeGib(long imageBytes, long? requested)
    {
        var needed = Math.Max(1, (imageBytes + GiB - 1) / GiB);
        return requested is null || requested >= needed ? requested ?? needed
            : throw new ArgumentException($"A volume of {requested} GiB is smaller than the image, which needs {needed} GiB.");
    }

    public async Task<string> StartAsync(RawDiskFile disk, DiskImportOptions options, CancellationToken cancellationToken)
    {
        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest
        {
            VolumeSizeGib = VolumeSizeGib(disk.Length, options.VolumeSizeGib),
            Description = options.Description,
            Tags = options.Tags,
        }, cancellationToken);
        return snapshot.SnapshotId;
    }

    /// <summary>Sends the blocks of <paramref name="disk"/> to the started snapshot and completes it.</summary>
    /// <param name="progress">Called with bytes of the image done (sent, found zero, or skipped as a hole).</param>
    public async Task<DiskImportResult> WriteAsync(
        string snapshotId, RawDiskFile disk, DiskImportOptions options, Action<long> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var checksum = new OrderedLinearChecksum();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Parallel, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(HandOut(disk, checksum, progress), parallel, async (index, token) =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(EbsBlock.Size);
            try
            {
                var block = buffer.AsMemory(0, EbsBlock.Size);
                await disk.ReadBlockAsync(index, block, token);
                byte[]? digest = null;
                if (!BlockHashes.IsZero(block.Span))
                {
                    digest = SHA256.HashData(block.Span);
                    await ebs.PutSnapshotBlockAsync(snapshotId, checked((int)index), block, Convert.ToBase64String(digest), cancellationToken: token);
                }

                checksum.Complete(index, digest);
                progress(disk.BytesIn(index));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });

        var linear = checksum.ToBase64();
        var status = await ebs.CompleteSnapshotAsync(snapshotId, checksum.WrittenBlocks, linear, cancellationToken);
        return new DiskImportResult(
            snapshotId, VolumeSizeGib(disk.Length, options.VolumeSizeGib), disk.Length, checksum.WrittenBlocks, disk.BlockCount - checksum.WrittenBlocks,
            linear, status, clock.Elapsed);
    }

    /// <summary>The blocks to read, in ascending order; the holes between them count as done at once.</summary>
    private static IEnumerable<long> HandOut(RawDiskFile disk, OrderedLinearChecksum checksum, Action<long> progress)
    {
        var next = 0L;
        foreach (var index in disk.CandidateBlocks())
        {
            if (index > next)
            {
                progress((index - next) * EbsBlock.Size);
            }

            checksum.Expect(index);
            yield return index;
            next = index + 1;
        }

        if (disk.BlockCount > next)
        {
            progress(disk.Length - next * EbsBlock.Size);
        }
    }
}
