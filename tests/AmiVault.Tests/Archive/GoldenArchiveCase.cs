using System.Security.Cryptography;
using System.Text;
using AmiVault.Archive;

namespace AmiVault.Tests.Archive;

/// <summary>
/// The images behind the golden archives under Archive/Golden/: their manifests and every block, derived from labels
/// through SHA-256 alone (no System.Random, whose sequence is not promised across .NET versions), so every future build
/// can say what each golden archive must restore to, byte for byte. Frozen: the manifests are spelled out here rather
/// than shared with <see cref="TestImage"/>, whose image may change with the tests that use it.
/// </summary>
internal sealed record GoldenArchiveCase(string Name, int BlockSize, int BlocksPerFrame, ArchiveManifest Manifest, IReadOnlyList<IReadOnlyList<TestBlock>> Blocks)
{
    private static readonly string[] Words =
        ["volume", "snapshot", "block", "kernel", "/usr/lib", "config", "0x7f3a", "error", "the", "of", "image", "=", "\n", "  ", "boot"];

    private static readonly DateTimeOffset StoredAt = new(2026, 12, 3, 9, 30, 0, TimeSpan.Zero);

    public static IReadOnlyList<GoldenArchiveCase> All { get; } = [Mixed(), Sparse(), TaggedSnapshots()];

    public static GoldenArchiveCase Named(string name) => All.Single(c => c.Name == name);

    public override string ToString() => Name;

    /// <summary>
    /// 4 KiB blocks so that every kind fits in a few KiB: text (zstd frames), noise (raw frames), zeros written as data
    /// and as known zeros, repeats within and across snapshots, a repeated run, gaps, full frames and an empty snapshot;
    /// and a manifest with every member set.
    /// </summary>
    private static GoldenArchiveCase Mixed()
    {
        const int size = 4096;
        var zero = new byte[size];
        var repeated = Noise("mixed repeated", size);
        var first = new List<TestBlock>
        {
            new(0, Text("mixed 0", size)), new(1, Text("mixed 1", size)), new(2, Text("mixed 2", size)), new(3, zero),
            new(4, Noise("mixed 4", size)), new(5, Text("mixed 5", size)),
        };
        first.Add(new TestBlock(6, first[0].Data));
        first.Add(new TestBlock(7, zero, KnownZero: true));
        first.Add(new TestBlock(8, zero, KnownZero: true));
        first.Add(new TestBlock(9, Text("mixed 9", size)));
        first.AddRange(Enumerable.Range(20, 4).Select(i => new TestBlock(i, repeated)));
        first.AddRange(Enumerable.Range(24, 4).Select(i => new TestBlock(i, Text($"mixed {i}", size))));
        first.Add(new TestBlock(50, first[4].Data));
        first.Add(new TestBlock(262143, Text("mixed last", size)));
        var second = new List<TestBlock>
        {
            new(0, first[1].Data), new(1, Text("second 1", size)), new(2, zero), new(3, first[5].Data),
            new(7, Noise("second 7", size)), new(1000, Text("second 1000", size)),
        };
        IReadOnlyList<IReadOnlyList<TestBlock>> blocks = [first, second, []];
        var manifest = new ArchiveManifest
        {
            StoredAt = StoredAt,
            StoredFromRegion = "us-gov-west-1",
            Image = new ArchivedImage
            {
                ImageId = "ami-0123456789abcdef0",
                OwnerId = "111111111111",
                Name = "web-server-2026.12",
                Description = "A web server, with \"quotes\", <angles> & ünïcode ✓",
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
                KernelId = "aki-0123456789abcdef0",
                RamdiskId = "ari-0123456789abcdef0",
                ImageLocation = "111111111111/web-server-2026.12",
                CreationDate = new DateTimeOffset(2026, 11, 1, 8, 30, 0, 123, TimeSpan.Zero),
                SourceImageId = "ami-0fedcba9876543210",
                SourceImageRegion = "eu-west-1",
                BlockDeviceMappings =
                [
                    new ArchivedBlockDeviceMapping("/dev/xvda", new ArchivedEbsMapping("snap-00000000000000000", 1, "gp3", 3000, 125, true, false)),
                    new ArchivedBlockDeviceMapping("/dev/xvdb", new ArchivedEbsMapping("snap-00000000000000001", 1, "io2", 4000, null, false, true)),
                    new ArchivedBlockDeviceMapping("/dev/xvdc", new ArchivedEbsMapping("snap-00000000000000002", 1, "st1")),
                    new ArchivedBlockDeviceMapping("/dev/sdb", VirtualName: "ephemeral0"),
                    new ArchivedBlockDeviceMapping("/dev/sdc", NoDevice: ""),
                ],
                Tags = [new ArchivedTag("Name", "web"), new ArchivedTag("team", "")],
            },
            Snapshots = [.. blocks.Select((list, i) => new ArchivedSnapshot
            {
                SnapshotId = $"snap-0000000000000000{i}",
                VolumeSizeGib = 1,
                Description = $"Disk {i}",
                Tags = [new ArchivedTag("disk", i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                BlockCount = list.Count,
            })],
        };
        return new GoldenArchiveCase("mixed-4k", size, 4, manifest, blocks);
    }

    /// <summary>
    /// The EBS block size: a 16 GiB volume with three short texts far apart and known zeros, and the smallest manifest
    /// the format allows (only required members: everything optional left out of the JSON).
    /// </summary>
    private static GoldenArchiveCase Sparse()
    {
        const int size = ArchiveFormat.DefaultBlockSize;
        var zero = new byte[size];
        IReadOnlyList<IReadOnlyList<TestBlock>> blocks =
        [
            [
                new(0, Sparse("sparse boot", size)), new(1, zero, KnownZero: true), new(2, zero, KnownZero: true),
                new(16000, Sparse("sparse middle", size)), new(32767, Sparse("sparse last", size)),
            ],
        ];
        var manifest = new ArchiveManifest
        {
            StoredAt = StoredAt,
            Image = new ArchivedImage
            {
                ImageId = "ami-0aaaaaaaaaaaaaaaa",
                OwnerId = "222222222222",
                Name = "sparse",
                Architecture = "x86_64",
                VirtualizationType = "hvm",
                RootDeviceType = "ebs",
                CreationDate = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
                BlockDeviceMappings = [new ArchivedBlockDeviceMapping("/dev/xvda", new ArchivedEbsMapping("snap-0aaaaaaaaaaaaaaaa"))],
            },
            Snapshots = [new ArchivedSnapshot { SnapshotId = "snap-0aaaaaaaaaaaaaaaa", VolumeSizeGib = 16, BlockCount = 5 }],
        };
        return new GoldenArchiveCase("sparse-512k", size, ArchiveFormat.MaxBlocksPerFrame, manifest, blocks);
    }

    /// <summary>Five snapshots with tags (many, unicode, empty values), blocks shared between them, one of zeros only.</summary>
    private static GoldenArchiveCase TaggedSnapshots()
    {
        const int size = ArchiveFormat.DefaultBlockSize;
        var zero = new byte[size];
        var shared = Sparse("tagged shared", size);
        IReadOnlyList<IReadOnlyList<TestBlock>> blocks =
        [
            [new(0, shared), new(1, Sparse("tagged 0/1", size)), new(2, shared)],
            [new(0, shared), new(5, Sparse("tagged 1/5", size))],
            [new(0, zero), new(1, zero, KnownZero: true)],
            [new(3, Sparse("tagged 0/1", size)), new(4, Sparse("tagged 3/4", size))],
            [new(4095, shared)],
        ];
        var manifest = new ArchiveManifest
        {
            StoredAt = StoredAt,
            StoredFromRegion = "cn-north-1",
            Image = new ArchivedImage
            {
                ImageId = "ami-0bbbbbbbbbbbbbbbb",
                OwnerId = "333333333333",
                Name = "five-disks",
                Description = "",
                Architecture = "x86_64",
                BootMode = "legacy-bios",
                VirtualizationType = "hvm",
                RootDeviceName = "/dev/sda1",
                RootDeviceType = "ebs",
                EnaSupport = false,
                CreationDate = new DateTimeOffset(2026, 6, 30, 23, 59, 59, TimeSpan.FromHours(2)),
                BlockDeviceMappings =
                [
                    .. blocks.Select((_, i) => new ArchivedBlockDeviceMapping(
                        i == 0 ? "/dev/sda1" : $"/dev/sd{(char)('b' + i)}",
                        new ArchivedEbsMapping($"snap-0bbbbbbbbbbbbbbb{i}", 2, "gp2", DeleteOnTermination: true))),
                ],
                Tags = [.. Enumerable.Range(0, 50).Select(i => new ArchivedTag($"key-{i:D2}", new string('v', i)))],
            },
            Snapshots =
            [
                .. blocks.Select((list, i) => new ArchivedSnapshot
                {
                    SnapshotId = $"snap-0bbbbbbbbbbbbbbb{i}",
                    VolumeSizeGib = 2,
                    Description = i % 2 == 0 ? $"Disk {i}" : null,
                    Tags = i switch
                    {
                        0 => [new ArchivedTag("Name", "root"), new ArchivedTag("aws:tagged", "no")],
                        1 => [new ArchivedTag("名前", "データ"), new ArchivedTag("empty", "")],
                        2 => [],
                        _ => [new ArchivedTag("index", i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                    },
                    BlockCount = list.Count,
                }),
            ],
        };
        return new GoldenArchiveCase("tagged-snapshots-512k", size, ArchiveFormat.MaxBlocksPerFrame, manifest, blocks);
    }

    /// <summary>Writes the image with today's writer.</summary>
    public Task<(byte[] Archive, ArchiveStatistics Statistics)> WriteAsync() =>
        TestImage.Of(BlockSize, Manifest, Blocks).WriteAsync(new ArchiveWriterOptions { BlockSize = BlockSize, BlocksPerFrame = BlocksPerFrame });

    /// <summary>Bytes no compressor shrinks: SHA-256(label, counter), one digest after another.</summary>
    private static byte[] Noise(string label, int size)
    {
        var block = new byte[size];
        for (var i = 0; i * 32 < size; i++)
        {
            SHA256.HashData(Encoding.UTF8.GetBytes($"{label}/{i}")).AsSpan(0, Math.Min(32, size - (i * 32))).CopyTo(block.AsSpan(i * 32));
        }

        return block;
    }

    /// <summary>Words chosen by the bytes of <see cref="Noise"/>: compresses like text.</summary>
    private static byte[] Text(string label, int size)
    {
        var choices = Noise(label, size);
        var text = new StringBuilder();
        for (var i = 0; text.Length < size; i++)
        {
            text.Append(Words[choices[i % size] % Words.Length]).Append(' ');
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, size));
    }

    /// <summary>1 KiB of text, then zeros: a block of a real disk that a file barely touched; stores in a few hundred bytes.</summary>
    private static byte[] Sparse(string label, int size)
    {
        var block = new byte[size];
        Text(label, 1024).CopyTo(block, 0);
        return block;
    }
}
