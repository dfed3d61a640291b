using System.Collections.Concurrent;
using System.Text;
using AmiVault.Archive;

namespace AmiVault.Tests.Archive;

/// <summary>
/// An image with every kind of block the format treats differently: text-like (compressible), random (kept raw),
/// zero (written as data and as known zeros), repeats within and across snapshots, a repeated run, an index gap,
/// frames that fill up and a snapshot with no blocks.
/// </summary>
internal sealed class TestImage
{
    private static readonly string[] Words =
        ["volume", "snapshot", "block", "kernel", "/usr/lib", "config", "0x7f3a", "error", "the", "of", "image", "=", "\n", "  ", "boot"];

    private TestImage(int blockSize, ArchiveManifest manifest, IReadOnlyList<IReadOnlyList<TestBlock>> blocks)
    {
        BlockSize = blockSize;
        Manifest = manifest;
        Blocks = blocks;
    }

    public int BlockSize { get; }

    public ArchiveManifest Manifest { get; }

    /// <summary>Per snapshot, the written blocks in index order.</summary>
    public IReadOnlyList<IReadOnlyList<TestBlock>> Blocks { get; }

    public static TestImage Mixed(int blockSize, int seed = 20240601)
    {
        var random = new Random(seed);
        var zero = new byte[blockSize];
        byte[] Text()
        {
            var text = new StringBuilder();
            while (text.Length < blockSize)
            {
                text.Append(Words[random.Next(Words.Length)]).Append(' ');
            }

            return Encoding.ASCII.GetBytes(text.ToString(0, blockSize));
        }

        byte[] Noise()
        {
            var noise = new byte[blockSize];
            random.NextBytes(noise);
            return noise;
        }

        var first = new List<TestBlock>
        {
            new(0, Text()), new(1, Text()), new(2, Text()), new(3, zero), new(4, Noise()), new(5, Noise()),
        };
        first.Add(new TestBlock(6, first[0].Data));
        first.Add(new TestBlock(7, zero, KnownZero: true));
        first.Add(new TestBlock(8, zero, KnownZero: true));
        first.Add(new TestBlock(9, Text()));
        var repeated = Noise();
        first.AddRange(Enumerable.Range(20, 4).Select(i => new TestBlock(i, repeated)));
        first.AddRange(Enumerable.Range(24, 17).Select(i => new TestBlock(i, Text())));
        first.Add(new TestBlock(50, first[4].Data));
        first.Add(new TestBlock(51, Noise()));

        var second = new List<TestBlock>
        {
            new(0, first[1].Data), new(1, Text()), new(2, zero), new(3, first[5].Data), new(7, Noise()), new(8, Text()), new(1000, Text()),
        };

        IReadOnlyList<IReadOnlyList<TestBlock>> blocks = [first, second, []];
        return new TestImage(blockSize, ManifestFor(blocks), blocks);
    }

    /// <summary>An image given block by block (the golden archives' fixed images).</summary>
    public static TestImage Of(int blockSize, ArchiveManifest manifest, IReadOnlyList<IReadOnlyList<TestBlock>> blocks) => new(blockSize, manifest, blocks);

    /// <summary>The same image with only the listed block indices of each snapshot.</summary>
    public TestImage Select(IReadOnlyList<IReadOnlyList<long>> indices)
    {
        var blocks = Blocks.Select((list, s) => (IReadOnlyList<TestBlock>)list.Where(b => s < indices.Count && indices[s].Contains(b.Index)).ToList()).ToList();
        return new TestImage(BlockSize, ManifestFor(blocks), blocks);
    }

    public static ArchiveManifest ManifestFor(IReadOnlyList<IReadOnlyList<TestBlock>> blocks) => new()
    {
        StoredAt = new DateTimeOffset(2025, 11, 25, 17, 0, 0, TimeSpan.Zero),
        StoredFromRegion = "us-east-1",
        Image = new ArchivedImage
        {
            ImageId = "ami-0123456789abcdef0",
            OwnerId = "111111111111",
            Name = "web-server-2025.11",
            Description = "A web server, with \"quotes\" and ünïcode",
            Architecture = "arm64",
            BootMode = "uefi",
            VirtualizationType = "hvm",
            RootDeviceName = "/dev/xvda",
            RootDeviceType = "ebs",
            EnaSupport = true,
            SriovNetSupport = "simple",
            TpmSupport = "v2.0",
            ImdsSupport = "v2.0",
            UefiData = "QU1aTlVFRkk=",
            CreationDate = new DateTimeOffset(2025, 11, 1, 8, 30, 0, TimeSpan.Zero),
            SourceImageId = "ami-0fedcba9876543210",
            SourceImageRegion = "eu-west-1",
            BlockDeviceMappings =
            [
                new ArchivedBlockDeviceMapping("/dev/xvda", new ArchivedEbsMapping("snap-00000000000000000", 1, "gp3", 3000, 125, true, false)),
                new ArchivedBlockDeviceMapping("/dev/xvdb", new ArchivedEbsMapping("snap-00000000000000001", 1, "io2", 4000, null, false, true)),
                new ArchivedBlockDeviceMapping("/dev/xvdc", new ArchivedEbsMapping("snap-00000000000000002", 1, "st1")),
                new ArchivedBlockDeviceMapping("/dev/sdb", VirtualName: "ephemeral0"),
            ],
            Tags = [new ArchivedTag("Name", "web"), new ArchivedTag("team", "")],
        },
        Snapshots = blocks.Select((list, i) => new ArchivedSnapshot
        {
            SnapshotId = $"snap-0000000000000000{i}",
            VolumeSizeGib = 1,
            Description = $"Disk {i}",
            Tags = [new ArchivedTag("disk", i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            BlockCount = list.Count,
        }).ToList(),
    };

    public async Task<(byte[] Archive, ArchiveStatistics Statistics)> WriteAsync(ArchiveWriterOptions? options = null)
    {
        var output = new ForwardOnlyStream();
        await using var writer = await ArchiveWriter.CreateAsync(output, Manifest, options ?? new ArchiveWriterOptions { BlockSize = BlockSize });
        for (var s = 0; s < Blocks.Count; s++)
        {
            await writer.BeginSnapshotAsync(Manifest.Snapshots[s].SnapshotId);
            foreach (var block in Blocks[s])
            {
                await (block.KnownZero ? writer.WriteZeroBlockAsync(block.Index) : writer.WriteBlockAsync(block.Index, block.Data));
            }
        }

        var statistics = await writer.CompleteAsync();
        return (output.ToArray(), statistics);
    }

    /// <summary>Restores one snapshot into a map of block index to a copy of its data.</summary>
    public static async Task<IReadOnlyDictionary<long, byte[]>> RestoreAsync(ArchiveReader reader, int snapshot, ArchiveReadOptions? options = null)
    {
        var restored = new ConcurrentDictionary<long, byte[]>();
        await reader.RestoreSnapshotAsync(snapshot, (block, _) =>
        {
            Assert.True(restored.TryAdd(block.BlockIndex, block.Data.ToArray()), $"Block {block.BlockIndex} was handed over twice.");
            return ValueTask.CompletedTask;
        }, options);
        return restored;
    }

    /// <summary>Opens and restores every snapshot, as a restore task would.</summary>
    public static async Task RestoreEverythingAsync(byte[] archive)
    {
        var reader = await ArchiveReader.OpenAsync(new MemoryArchiveSource(archive));
        for (var s = 0; s < reader.Manifest.Snapshots.Count; s++)
        {
            await RestoreAsync(reader, s);
        }
    }
}
