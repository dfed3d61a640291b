using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using AmiVault.Archive;
using Xunit.Abstractions;

namespace AmiVault.Tests.Archive;

/// <summary>
/// The reader against arbitrary bytes: a fixed seed, a bounded number of mutated archives, and the one allowed
/// failure is <see cref="ArchiveFormatException"/>. Half the mutations recompute the digests they break, as a
/// crafted object would, so that the parsers and the decompressor see the damage rather than the digest check.
/// </summary>
public sealed class ArchiveFuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 1500;

    private static readonly uint[] InterestingNumbers = [0, 1, 2, 7, 16, 17, 255, 256, 4095, 4096, 65535, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];

    [Fact]
    public async Task Mutated_archives_fail_only_with_archive_format_errors_and_never_hang()
    {
        var (archive, _) = await ArchiveCorruptionTests.SmallImage().WriteAsync();
        var frames = ArchiveSurgery.Frames(archive);
        var random = new Random(1337);
        var outcomes = new Dictionary<string, int>();

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var (mutation, mutated) = Mutate(archive, frames, random);
            string outcome;
            try
            {
                await ProbeAsync(mutated).WaitAsync(TimeSpan.FromSeconds(30));
                outcome = "accepted";
            }
            catch (ArchiveFormatException e)
            {
                outcome = e.Problem.ToString();
            }
            catch (Exception e)
            {
                Assert.Fail($"Iteration {iteration} ({mutation}) failed with {e.GetType().Name} instead of an archive format error: {e}");
                throw;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        output.WriteLine(string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}")));
        // The mutations must reach past the digest check into the parsers and the frame checks, or the test proves little.
        Assert.True(outcomes.GetValueOrDefault(nameof(ArchiveProblem.Malformed)) > 50, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(nameof(ArchiveProblem.FrameCorrupt)) > 20, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault(nameof(ArchiveProblem.DigestMismatch)) > 50, string.Join(", ", outcomes));
    }

    /// <summary>Everything a reader does with an archive: verify it, list its blocks, restore every snapshot.</summary>
    private static async Task ProbeAsync(byte[] mutated)
    {
        var verdict = await ArchiveReader.VerifyAsync(new MemoryArchiveSource(mutated), new ArchiveReadOptions { ReadLength = 8192 });
        var reader = await ArchiveReader.OpenAsync(new MemoryArchiveSource(mutated));
        for (var s = 0; s < reader.Manifest.Snapshots.Count; s++)
        {
            Assert.Equal(reader.Manifest.Snapshots[s].BlockCount, reader.ListBlocks(s).LongCount());
            await TestImage.RestoreAsync(reader, s);
        }

        // Whatever restores without complaint must also have verified.
        Assert.True(verdict.IsIntact, verdict.Message);
    }

    private static (string Mutation, byte[] Mutated) Mutate(byte[] archive, IReadOnlyList<(ArchiveFrame Frame, int HashOffset)> frames, Random random)
    {
        var mutated = (byte[])archive.Clone();
        var dataOffset = (int)ArchiveSurgery.DataOffset(archive);
        var indexOffset = (int)ArchiveSurgery.IndexOffset(archive);
        var trailerOffset = archive.Length - ArchiveFormat.TrailerLength;
        switch (random.Next(9))
        {
            case 0:
                for (var i = random.Next(1, 5); i > 0; i--)
                {
                    mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
                }

                return ("bit flips", mutated);
            case 1:
                random.NextBytes(mutated.AsSpan(random.Next(mutated.Length - 16), random.Next(1, 17)));
                return ("random bytes", mutated);
            case 2:
                return ("truncation", mutated[..random.Next(mutated.Length)]);
            case 3:
                var at = random.Next(mutated.Length);
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return random.Next(2) == 0
                    ? ("insertion", [.. mutated.AsSpan(0, at), .. extra, .. mutated.AsSpan(at)])
                    : ("deletion", [.. mutated.AsSpan(0, at), .. mutated.AsSpan(Math.Min(mutated.Length, at + extra.Length))]);
            case 4:
                // Anywhere the digest covers: header, manifest, index, trailer offsets.
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    var region = random.Next(3) switch
                    {
                        0 => random.Next(dataOffset),
                        1 => random.Next(indexOffset, trailerOffset),
                        _ => trailerOffset + random.Next(ArchiveTrailer.DigestedLength),
                    };
                    mutated[region] ^= (byte)random.Next(1, 256);
                }

                ArchiveSurgery.TryReseal(mutated);
                return ("resealed metadata bytes", mutated);
            case 5:
                var field = random.Next(indexOffset, trailerOffset - 4);
                BinaryPrimitives.WriteUInt32LittleEndian(mutated.AsSpan(field), InterestingNumbers[random.Next(InterestingNumbers.Length)]);
                ArchiveSurgery.TryReseal(mutated);
                return ("resealed index number", mutated);
            case 6:
                var offsetField = trailerOffset + 8 * random.Next(2);
                BinaryPrimitives.WriteInt64LittleEndian(mutated.AsSpan(offsetField), BinaryPrimitives.ReadInt64LittleEndian(mutated.AsSpan(offsetField)) + random.Next(-40, 41));
                ArchiveSurgery.TryReseal(mutated);
                return ("resealed trailer offset", mutated);
            case 7:
                var (frame, hashOffset) = frames[random.Next(frames.Count)];
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    mutated[frame.Offset + random.Next(frame.StoredLength)] ^= (byte)random.Next(1, 256);
                }

                ArchiveSurgery.ResealFrame(mutated, frame, hashOffset);
                return ("resealed frame bytes", mutated);
            default:
                return ("resealed manifest edit", ArchiveSurgery.ReplaceManifest(archive, EditManifest(archive, random)));
        }
    }

    /// <summary>Replaces one value of the manifest JSON with a value of the wrong kind, size or sign.</summary>
    private static byte[] EditManifest(byte[] archive, Random random)
    {
        var dataOffset = (int)ArchiveSurgery.DataOffset(archive);
        var root = JsonNode.Parse(archive.AsSpan(ArchiveFormat.HeaderLength, dataOffset - ArchiveFormat.HeaderLength))!;
        var leaves = new List<(JsonNode Parent, object Key)>();
        void Collect(JsonNode node)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj.ToList())
                    {
                        leaves.Add((obj, key));
                        if (value is not null)
                        {
                            Collect(value);
                        }
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        leaves.Add((array, i));
                        Collect(array[i]!);
                    }

                    break;
            }
        }

        Collect(root);
        JsonNode?[] replacements = [null, -1, 0, long.MaxValue, 1e300, "", new string('x', 5000), true, new JsonArray(), new JsonObject(), "ami-x"];
        var (parent, where) = leaves[random.Next(leaves.Count)];
        var replacement = replacements[random.Next(replacements.Length)]?.DeepClone();
        if (parent is JsonObject o)
        {
            if (random.Next(4) == 0)
            {
                o.Remove((string)where);
            }
            else
            {
                o[(string)where] = replacement;
            }
        }
        else
        {
            ((JsonArray)parent)[(int)where] = replacement;
        }

        return JsonSerializer.SerializeToUtf8Bytes(root);
    }
}
