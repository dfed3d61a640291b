using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AmiVault.Client;
using AmiVault.IO;
using AmiVault.Ebs;

namespace AmiVault.Transfers;

/// <summary>
/// An EBS snapshot into a raw disk image file: the blocks ListSnapshotBlocks names are fetched in parallel (each
/// checked against its SHA-256 by <see cref="EbsClient"/>), written at their offsets in a file pre-sized to the
/// volume, so unwritten and all-zero blocks stay holes. The file is built under a temporary name beside the target,
/// flushed, and renamed only when complete: an interrupted export leaves no partial image under the target's name.
/// </summary>
internal sealed class SnapshotExporter(EbsClient ebs)
{
    private const long GiB = 1L << 30;

    /// <param name="setTotal">Called with the volume size once the first page tells it.</param>
    /// <param name="progress">Called with bytes of the volume done (read, or unlisted and so left a hole).</param>
    public async Task<SnapshotExportResult> ExportAsync(
        string snapshotId, string path, bool overwrite, int parallel, Action<long> setTotal, Action<long> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        path = Path.GetFullPath(path);
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.partial");
        long blocksRead = 0, blocksWritten = 0, volumeBytes = 0;
        try
        {
            var first = await ebs.ListSnapshotBlocksPageAsync(snapshotId, maxResults: 10000, cancellationToken: cancellationToken);
            if (first.BlockSize != EbsBlock.Size)
            {
                throw new InvalidDataException($"{snapshotId} has blocks of {first.BlockSize} bytes; only {EbsBlock.Size} is supported.");
            }

            volumeBytes = first.VolumeSizeGib * GiB;
            setTotal(volumeBytes);
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous))
            {
                RandomAccess.SetLength(handle, volumeBytes);
                var options = new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken };
                await Parallel.ForEachAsync(AllBlocks(snapshotId, first, volumeBytes, progress, cancellationToken), options, async (listed, token) =>
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(EbsBlock.Size);
                    try
                    {
                        var block = buffer.AsMemory(0, EbsBlock.Size);
                        await ebs.GetSnapshotBlockAsync(snapshotId, listed.BlockIndex, listed.BlockToken, block, token);
                        Interlocked.Increment(ref blocksRead);
                        if (!BlockHashes.IsZero(block.Span))
                        {
                            await RandomAccess.WriteAsync(handle, block, (long)listed.BlockIndex * EbsBlock.Size, token);
                            Interlocked.Increment(ref blocksWritten);
                        }

                        progress(EbsBlock.Size);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                });
                RandomAccess.FlushToDisk(handle);
            }

            File.Move(temp, path, overwrite);
            DurableFile.FlushDirectory(Path.GetDirectoryName(path)!);
        }
        finally
        {
            File.Delete(temp);
        }

        return new SnapshotExportResult(path, volumeBytes, blocksRead, blocksWritten, SparseFile.AllocatedBytes(path), clock.Elapsed);
    }

    /// <summary>Every listed block, page after page; the unlisted space between them counts as done at once.</summary>
    private async IAsyncEnumerable<ListedBlock> AllBlocks(
        string snapshotId, EbsPage<ListedBlock> page, long volumeBytes, Action<long> progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = 0L;
        while (true)
        {
            foreach (var block in page.Items)
            {
                if (block.BlockIndex > next)
                {
                    progress((block.BlockIndex - next) * EbsBlock.Size);
                }

                next = block.BlockIndex + 1L;
                yield return block;
            }

            if (page.NextToken is null)
            {
                break;
            }

            page = await ebs.ListSnapshotBlocksPageAsync(snapshotId, nextToken: page.NextToken, maxResults: 10000, cancellationToken: cancellationToken);
        }

        progress(Math.Max(0, volumeBytes - next * EbsBlock.Size));
    }
}
