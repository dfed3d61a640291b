using System.Buffers.Binary;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AmiVault.Archive;

namespace AmiVault.Tests.Archive;

/// <summary>
/// The archive format pinned (docs/archive-format.md, "Compatibility"): archives written by past writers, committed
/// under Archive/Golden/, must be read, verified and restored byte for byte by every later build; and today's writer
/// must lay out the same images the same way (header, manifest JSON, block hashes and runs), so a change to the format
/// cannot slip in unnoticed. Frame bytes are left out of that second comparison: another zstd build may compress the
/// same blocks differently without changing the format.
/// </summary>
public sealed class GoldenArchiveTests
{
    /// <summary>Golden archives by format version; a new version adds its own, never replaces these.</summary>
    public static TheoryData<string> Version1 => ["mixed-4k", "sparse-512k", "tagged-snapshots-512k"];

    [Theory]
    [MemberData(nameof(Version1))]
    public async Task A_golden_archive_reads_verifies_and_restores_byte_for_byte(string name)
    {
        var golden = GoldenArchiveCase.Named(name);
        var archive = await File.ReadAllBytesAsync(GoldenPath(name));

        var verdict = await ArchiveReader.VerifyAsync(new MemoryArchiveSource(archive));
        Assert.True(verdict.IsIntact, verdict.Message);
        var reader = await ArchiveReader.OpenAsync(new MemoryArchiveSource(archive));
        Assert.Equal(1, reader.Version);
        Assert.Equal(golden.BlockSize, reader.BlockSize);

        // The manifest's JSON in the file says what today's contract writes for the same manifest, and what the reader
        // understood of it writes back the same: every member kept its wire name and meaning.
        AssertSameJson(ManifestBytes(archive), ArchiveManifestJson.Serialize(golden.Manifest));
        AssertSameJson(ManifestBytes(archive), ArchiveManifestJson.Serialize(reader.Manifest));

        Assert.Equal(archive.Length, reader.Statistics.Length);
        Assert.Equal(Expected(golden), (reader.Statistics.StoredBlocks, reader.Statistics.ZeroBlocks, reader.Statistics.DuplicateBlocks, reader.Statistics.LogicalBytes));
        for (var s = 0; s < golden.Blocks.Count; s++)
        {
            var expected = golden.Blocks[s];
            Assert.Equal(
                expected.Select(b => (b.Index, Convert.ToHexString(SHA256.HashData(b.Data)))),
                reader.ListBlocks(s).Select(b => (b.BlockIndex, Convert.ToHexString(b.Sha256.Span))));
            var restored = await TestImage.RestoreAsync(reader, s);
            Assert.Equal(expected.Select(b => b.Index).Order(), restored.Keys.Order());
            foreach (var block in expected)
            {
                Assert.True(block.Data.AsSpan().SequenceEqual(restored[block.Index]), $"{name}: block {block.Index} of snapshot {s} differs");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Version1))]
    public async Task Todays_writer_lays_out_a_golden_image_as_the_golden_archive(string name)
    {
        var golden = GoldenArchiveCase.Named(name);
        var (written, statistics) = await golden.WriteAsync();
        var archive = await File.ReadAllBytesAsync(GoldenPath(name));

        AssertSameJson(ManifestBytes(archive), ManifestBytes(written));
        if (!Structure(archive).SequenceEqual(Structure(written)))
        {
            // What today's writer made, for a reviewer to diff; a deliberate change is a new format version with new
            // golden archives next to these, never a replacement of them.
            var path = Path.Combine(Path.GetTempPath(), $"{name}.{Guid.NewGuid():N}.bin");
            await File.WriteAllBytesAsync(path, written);
            Assert.Fail($"Today's writer lays out {name} differently from Archive/Golden/{name}.bin (its output: {path}).");
        }

        Assert.Equal(Expected(golden), (statistics.StoredBlocks, statistics.ZeroBlocks, statistics.DuplicateBlocks, statistics.LogicalBytes));
    }

    /// <summary>Every member of every manifest type names itself on the wire, so no C# rename changes the format.</summary>
    [Fact]
    public void Every_manifest_member_has_an_explicit_wire_name()
    {
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>([typeof(ArchiveManifest)]);
        var unnamed = new List<string>();
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type))
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetMethod is not null && p.Name != "EqualityContract"))
            {
                if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is null)
                {
                    unnamed.Add($"{type.Name}.{property.Name}");
                }

                var member = property.PropertyType;
                member = member.IsGenericType ? member.GetGenericArguments().Last() : member;
                member = Nullable.GetUnderlyingType(member) ?? member;
                if (member.Namespace == typeof(ArchiveManifest).Namespace)
                {
                    pending.Enqueue(member);
                }
            }
        }

        Assert.Empty(unnamed);
        Assert.Equal(6, seen.Count);
    }

    private static string GoldenPath(string name) => Path.Combine(AppContext.BaseDirectory, "Archive", "Golden", name + ".bin");

    private static byte[] ManifestBytes(byte[] archive) =>
        archive.AsSpan(ArchiveFormat.HeaderLength, (int)BinaryPrimitives.ReadUInt32LittleEndian(archive.AsSpan(16))).ToArray();

    /// <summary>
    /// The same members with the same values, whatever the spelling of the JSON (escapes, which a serializer may choose
    /// differently without changing the format).
    /// </summary>
    private static void AssertSameJson(byte[] expected, byte[] actual) =>
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)),
            $"The manifests differ:\n{Encoding.UTF8.GetString(expected)}\n{Encoding.UTF8.GetString(actual)}");

    /// <summary>
    /// Everything of an archive's binary layout but its frame bytes and frame table: the header (but the manifest's
    /// length, which follows its spelling), and from the index the counts of blocks and snapshots, every stored block's
    /// SHA-256 and every snapshot's runs.
    /// </summary>
    private static byte[] Structure(byte[] archive)
    {
        var indexOffset = (int)ArchiveSurgery.IndexOffset(archive);
        var index = archive.AsSpan(indexOffset, archive.Length - ArchiveFormat.TrailerLength - indexOffset);
        var frames = (int)BinaryPrimitives.ReadUInt32LittleEndian(index);
        var afterFrames = ArchiveFormat.IndexHeaderLength + (frames * ArchiveFormat.FrameEntryLength);
        return [.. archive.AsSpan(0, 16), .. index[4..ArchiveFormat.IndexHeaderLength], .. index[afterFrames..]];
    }

    /// <summary>What the image holds, counted from its blocks: stored (distinct non-zero), zero, duplicate, logical bytes.</summary>
    private static (int Stored, long Zero, long Duplicate, long Logical) Expected(GoldenArchiveCase golden)
    {
        var all = golden.Blocks.SelectMany(b => b).ToList();
        var nonZero = all.Where(b => b.Data.AsSpan().ContainsAnyExcept((byte)0)).Select(b => Convert.ToHexString(SHA256.HashData(b.Data))).ToList();
        var stored = nonZero.Distinct().Count();
        return (stored, all.Count - nonZero.Count, nonZero.Count - stored, (long)all.Count * golden.BlockSize);
    }
}
