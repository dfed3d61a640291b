using System.Security.Cryptography;
using System.Text.Json;
using AmiVault.Archive;

namespace AmiVault.Tests.Archive;

public sealed class ArchiveRoundTripTests
{
    [Theory]
    [InlineData(ArchiveFormat.DefaultBlockSize, 8)]
    [InlineData(4096, 1)]
    [InlineData(4096, 3)]
    [InlineData(4096, ArchiveFormat.MaxBlocksPerFrame)]
    public async Task Multi_snapshot_image_restores_byte_exact_with_its_metadata(int blockSize, int blocksPerFrame)
    {
        var image = TestImage.Mixed(blockSize);
        var (archive, _) = await image.WriteAsync(new ArchiveWriterOptions { BlockSize = blockSize, BlocksPerFrame = blocksPerFrame });

        var reader = await ArchiveReader.OpenAsync(new MemoryArchiveSource(archive));

        Assert.Equal(ArchiveFormat.Version, reader.Version);
        Assert.Equal(blockSize, reader.BlockSize);
        Assert.Equal(JsonSerializer.Serialize(image.Manifest), JsonSerializer.Serialize(reader.Manifest));
        for (var s = 0; s < image.Blocks.Count; s++)
        {
            var restored = await TestImage.RestoreAsync(reader, s, new ArchiveReadOptions { ReadLength = 3 * blockSize });
            Assert.Equal(image.Blocks[s].Select(b => b.Index).Order(), restored.Keys.Order());
            foreach (var block in image.Blocks[s])
            {
                Assert.True(block.Data.AsSpan().SequenceEqual(restored[block.Index]), $"Snapshot {s} block {block.Index} differs.");
            }
        }
    }

    [Fact]
    public async Task Block_listing_gives_every_written_block_with_its_hash_including_zero_blocks()
    {
        var image = TestImage.Mixed(4096);
        var (archive, _) = await image.WriteAsync();

        var reader = await ArchiveReader.OpenAsync(new MemoryArchiveSource(archive));

        for (var s = 0; s < image.Blocks.Count; s++)
        {
            var expected = image.Blocks[s].Select(b => (b.Index, Convert.ToHexString(SHA256.HashData(b.Data)), !b.Data.AsSpan().ContainsAnyExcept((byte)0)));
            var listed = reader.ListBlocks(s).Select(b => (b.BlockIndex, Convert.ToHexString(b.Sha256.Span), b.IsZero));
            Assert.Equal(expected, listed);
        }
    }

    [Fact]
    public async Task Zero_blocks_are_not_stored_and_repeated_blocks_are_stored_once()
    {
        var image = TestImage.Mixed(4096);
        var written = image.Blocks.SelectMany(b => b).ToList();
        var zero = written.Count(b => !b.Data.AsSpan().ContainsAnyExcept((byte)0));
        var distinct = written.Where(b => b.Data.AsSpan().ContainsAnyExcept((byte)0)).Select(b => Convert.ToHexString(SHA256.HashData(b.Data))).Distinct().Count();

        var (archive, statistics) = await image.WriteAsync();
        var reader = await ArchiveReader.OpenAsync(new MemoryArchiveSource(archive));

        Assert.Equal(statistics, reader.Statistics);
        Assert.Equal(archive.Length, statistics.Length);
        Assert.Equal(written.Count * 4096L, statistics.LogicalBytes);
        Assert.Equal(zero, statistics.ZeroBlocks);
        Assert.Equal(distinct, statistics.StoredBlocks);
        Assert.Equal(written.Count - zero - distinct, statistics.DuplicateBlocks);
        Assert.True(statistics.DuplicateBlocks >= 6, "The test image repeats blocks within and across snapshots.");
        // Random blocks stay raw; the text compresses: the data is less than the distinct blocks' size.
        Assert.True(statistics.DataBytes < distinct * 4096L, $"{statistics.DataBytes} bytes of frames for {distinct} distinct blocks");
    }

    [Fact]
    public async Task Incompressible_blocks_are_kept_raw_and_cost_no_more_than_their_size()
    {
        var random = new Random(7);
        var blocks = Enumerable.Range(0, 40).Select(i =>
        {
            var data = new byte[4096];
            random.NextBytes(data);
            return new TestBlock(i, data);
        }).ToList();
        var manifest = TestImage.ManifestFor([blocks]);
        var output = new ForwardOnlyStream();
        await using (var writer = await ArchiveWriter.CreateAsync(output, manifest, new ArchiveWriterOptions { BlockSize = 4096 }))
        {
            await writer.BeginSnapshotAsync(manifest.Snapshots[0].SnapshotId);
            foreach (var block in blocks)
            {
                await writer.WriteBlockAsync(block.Index, block.Data);
            }

            var statistics = await writer.CompleteAsync();
            Assert.Equal(40 * 4096L, statistics.DataBytes);
        }

        var restored = await TestImage.RestoreAsync(await ArchiveReader.OpenAsync(new MemoryArchiveSource(output.ToArray())), 0);
        Assert.All(blocks, b => Assert.Equal(b.Data, restored[b.Index]));
    }

    [Fact]
    public async Task An_image_of_only_zero_blocks_stores_no_data_yet_lists_and_restores_every_block()
    {
        var zero = new byte[4096];
        var blocks = Enumerable.Range(0, 300).Select(i => new TestBlock(i * 3, zero, KnownZero: i % 2 == 0)).ToList();
        var manifest = TestImage.ManifestFor([blocks, []]);
        var output = new ForwardOnlyStream();
        await using (var writer = await ArchiveWriter.CreateAsync(output, manifest, new ArchiveWriterOptions { BlockSize = 4096 }))
        {
            await writer.BeginSnapshotAsync(manifest.Snapshots[0].SnapshotId);
            foreach (var block in blocks)
            {
                await (block.KnownZero ? writer.WriteZeroBlockAsync(block.Index) : writer.WriteBlockAsync(block.Index, block.Data));
            }

            await writer.BeginSnapshotAsync(manifest.Snapshots[1].SnapshotId);
            await writer.CompleteAsync();
        }

        var reader = await ArchiveReader.OpenAsync(new MemoryArchiveSource(output.ToArray()));

        Assert.Equal(new ArchiveStatistics(output.ToArray().Length, 300 * 4096L, 0, 0, 0, 300, 0), reader.Statistics);
        Assert.Equal(blocks.Select(b => b.Index), reader.ListBlocks(0).Where(b => b.IsZero).Select(b => b.BlockIndex));
        var restored = await TestImage.RestoreAsync(reader, 0);
        Assert.Equal(blocks.Select(b => b.Index).Order(), restored.Keys.Order());
        Assert.All(restored.Values, data => Assert.Equal(zero, data));
        Assert.True((await ArchiveReader.VerifyAsync(new MemoryArchiveSource(output.ToArray()))).IsIntact);
    }

    [Fact]
    public async Task Verify_finds_an_intact_archive_intact_and_counts_what_it_checked()
    {
        var (archive, statistics) = await TestImage.Mixed(4096).WriteAsync();

        var verdict = await ArchiveReader.VerifyAsync(new MemoryArchiveSource(archive));

        Assert.True(verdict.IsIntact, verdict.Message);
        Assert.Null(verdict.Problem);
        Assert.Equal(statistics, verdict.Statistics);
        Assert.Contains($"{statistics.StoredBlocks} blocks", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Archive_in_a_file_is_read_with_the_file_source()
    {
        var image = TestImage.Mixed(4096);
        var (archive, _) = await image.WriteAsync();
        var path = Path.Combine(Path.GetTempPath(), $"amivault-archive-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, archive);
        try
        {
            using var source = new FileArchiveSource(path);
            Assert.True((await ArchiveReader.VerifyAsync(source)).IsIntact);
            var restored = await TestImage.RestoreAsync(await ArchiveReader.OpenAsync(source), 1);
            Assert.All(image.Blocks[1], b => Assert.Equal(b.Data, restored[b.Index]));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
