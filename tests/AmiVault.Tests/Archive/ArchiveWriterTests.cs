using System.Security.Cryptography;
using AmiVault.Archive;

namespace AmiVault.Tests.Archive;

public sealed class ArchiveWriterTests
{
    private static readonly byte[] Block = Enumerable.Range(0, 4096).Select(i => (byte)(i % 251)).ToArray();

    [Fact]
    public async Task Progress_counts_every_written_block_and_ends_at_the_archive_length()
    {
        var image = TestImage.Mixed(4096);
        var reports = new List<ArchiveWriteProgress>();
        var (archive, statistics) = await image.WriteAsync(new ArchiveWriterOptions { BlockSize = 4096, Progress = new SynchronousProgress(reports.Add) });

        Assert.Equal(reports.OrderBy(r => r.LogicalBytes).ThenBy(r => r.WrittenBytes), reports);
        Assert.Equal(new ArchiveWriteProgress(statistics.LogicalBytes, archive.Length), reports[^1]);
        Assert.True(reports.Count > image.Blocks.Sum(b => b.Count), "Progress is reported per block, not only at the end.");
    }

    [Fact]
    public async Task Blocks_out_of_order_or_outside_the_volume_are_refused()
    {
        var manifest = TestImage.ManifestFor([[new TestBlock(5, Block), new TestBlock(6, Block)]]);
        await using var writer = await ArchiveWriter.CreateAsync(new ForwardOnlyStream(), manifest, new ArchiveWriterOptions { BlockSize = 4096 });
        await writer.BeginSnapshotAsync(manifest.Snapshots[0].SnapshotId);
        await writer.WriteBlockAsync(5, Block);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => writer.WriteBlockAsync(5, Block).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => writer.WriteBlockAsync(1L << 18, Block).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteBlockAsync(6, Block.AsMemory(1)).AsTask());
    }

    [Fact]
    public async Task A_snapshot_with_fewer_or_more_blocks_than_its_manifest_entry_is_refused()
    {
        var manifest = TestImage.ManifestFor([[new TestBlock(0, Block), new TestBlock(1, Block)], []]);
        await using var writer = await ArchiveWriter.CreateAsync(new ForwardOnlyStream(), manifest, new ArchiveWriterOptions { BlockSize = 4096 });
        await writer.BeginSnapshotAsync(manifest.Snapshots[0].SnapshotId);
        await writer.WriteBlockAsync(0, Block);

        var early = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.BeginSnapshotAsync(manifest.Snapshots[1].SnapshotId));
        Assert.Contains("got 1 blocks; its manifest entry says 2", early.Message, StringComparison.Ordinal);

        await writer.WriteBlockAsync(1, Block);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteBlockAsync(2, Block).AsTask());
    }

    [Fact]
    public async Task Snapshots_must_come_in_manifest_order_and_all_of_them()
    {
        var manifest = TestImage.ManifestFor([[], []]);
        await using var writer = await ArchiveWriter.CreateAsync(new ForwardOnlyStream(), manifest, new ArchiveWriterOptions { BlockSize = 4096 });

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.BeginSnapshotAsync(manifest.Snapshots[1].SnapshotId));
        await writer.BeginSnapshotAsync(manifest.Snapshots[0].SnapshotId);
        var incomplete = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync());
        Assert.Contains("Only 1 of the manifest's 2 snapshots", incomplete.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_manifest_is_refused_before_anything_is_written()
    {
        var valid = TestImage.ManifestFor([[]]);
        var output = new ForwardOnlyStream();

        await Assert.ThrowsAsync<ArgumentException>(() => ArchiveWriter.CreateAsync(output, valid with { Snapshots = [valid.Snapshots[0] with { VolumeSizeGib = 0 }] }));
        var tooBig = valid with { Image = valid.Image with { Description = new string('x', ArchiveFormat.MaxManifestLength) } };
        var refused = await Assert.ThrowsAsync<ArchiveFormatException>(() => ArchiveWriter.CreateAsync(output, tooBig));

        Assert.Equal(ArchiveProblem.LimitExceeded, refused.Problem);
        Assert.Empty(output.ToArray());
    }

    [Fact]
    public async Task A_cancelled_write_stops_and_refuses_further_calls()
    {
        var blocks = Enumerable.Range(0, 64).Select(i => new TestBlock(i, Block.Select(b => (byte)(b ^ i)).ToArray())).ToList();
        var manifest = TestImage.ManifestFor([blocks]);
        await using var writer = await ArchiveWriter.CreateAsync(new ForwardOnlyStream(), manifest, new ArchiveWriterOptions { BlockSize = 4096 });
        await writer.BeginSnapshotAsync(manifest.Snapshots[0].SnapshotId);
        using var cancellation = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            foreach (var block in blocks)
            {
                if (block.Index == 40)
                {
                    await cancellation.CancelAsync();
                }

                await writer.WriteBlockAsync(block.Index, block.Data, cancellationToken: cancellation.Token);
            }

            await writer.CompleteAsync(cancellation.Token);
        });
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.CompleteAsync());
    }

    [Fact]
    public async Task A_known_hash_is_trusted_and_a_wrong_one_makes_the_restore_refuse_the_block()
    {
        var other = Block.Reverse().ToArray();
        var manifest = TestImage.ManifestFor([[new TestBlock(0, Block), new TestBlock(1, other)]]);
        var output = new ForwardOnlyStream();
        await using (var writer = await ArchiveWriter.CreateAsync(output, manifest, new ArchiveWriterOptions { BlockSize = 4096 }))
        {
            await writer.BeginSnapshotAsync(manifest.Snapshots[0].SnapshotId);
            await writer.WriteBlockAsync(0, Block, SHA256.HashData(Block));
            await writer.WriteBlockAsync(1, other, SHA256.HashData(Block));
            await writer.CompleteAsync();
        }

        var reader = await ArchiveReader.OpenAsync(new MemoryArchiveSource(output.ToArray()));
        Assert.Equal(SHA256.HashData(Block), reader.ListBlocks(0).First().Sha256.ToArray());
        // Same hash twice: the second block was taken for a repeat of the first, and the data restored is the first's.
        Assert.Equal(1, reader.Statistics.DuplicateBlocks);
        var restored = await TestImage.RestoreAsync(reader, 0);
        Assert.Equal(Block, restored[1]);

        var wrong = new ForwardOnlyStream();
        await using (var writer = await ArchiveWriter.CreateAsync(wrong, manifest, new ArchiveWriterOptions { BlockSize = 4096 }))
        {
            await writer.BeginSnapshotAsync(manifest.Snapshots[0].SnapshotId);
            await writer.WriteBlockAsync(0, Block, SHA256.HashData(other));
            await writer.WriteBlockAsync(1, other, SHA256.HashData(Block));
            await writer.CompleteAsync();
        }

        var refused = await Assert.ThrowsAsync<ArchiveFormatException>(() => TestImage.RestoreEverythingAsync(wrong.ToArray()));
        Assert.Equal(ArchiveProblem.BlockCorrupt, refused.Problem);
    }

    /// <summary>Reports on the calling thread, so the order of reports is the order of calls.</summary>
    private sealed class SynchronousProgress(Action<ArchiveWriteProgress> report) : IProgress<ArchiveWriteProgress>
    {
        public void Report(ArchiveWriteProgress value) => report(value);
    }
}
