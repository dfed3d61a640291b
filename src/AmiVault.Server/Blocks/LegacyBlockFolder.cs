using AmiVault.Ebs;
using Microsoft.Extensions.Logging;

namespace AmiVault.Blocks;

/// <summary>
/// The block folder of releases before packs: one file per block at <c>ab/cd/abcd…</c> (hex SHA-256), written through
/// <c>tmp/</c>. Migration moves each file into the packs and deletes it as soon as its record is committed, so it
/// needs only a batch's worth of extra disk and, interrupted, simply goes on from the files still there at the next
/// start (a file whose block is already in the index is just deleted).
/// </summary>
internal static class LegacyBlockFolder
{
    private const int InFlight = 16;

    public static async Task MigrateAsync(string root, PackBlockStore store, ILogger logger, CancellationToken cancellationToken)
    {
        var temp = Path.Combine(root, "tmp");
        if (Directory.Exists(temp))
        {
            // Leftovers of a crash of the old release: never acknowledged blocks.
            Directory.Delete(temp, recursive: true);
        }

        var fanOuts = Directory.EnumerateDirectories(root).Where(d => IsHexName(d, 2)).ToList();
        if (fanOuts.Count == 0)
        {
            return;
        }

        logger.LogWarning("Moving one-file-per-block data under {Root} into pack files; the server starts when it is done.", root);
        var moved = 0;
        var kept = 0;
        var blocks = fanOuts
            .SelectMany(d => Directory.EnumerateDirectories(d).Where(s => IsHexName(s, 2)))
            .SelectMany(d => Directory.EnumerateFiles(d).Where(f => IsHexName(f, BlockHashes.Length * 2)));
        await Parallel.ForEachAsync(blocks, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cancellationToken }, async (path, ct) =>
        {
            if (await store.AdoptAsync(Convert.FromHexString(Path.GetFileName(path)), path, ct))
            {
                Interlocked.Increment(ref moved);
            }
            else
            {
                Interlocked.Increment(ref kept);
                logger.LogError("The block file {Path} does not hold the block its name says; it was left where it is.", path);
            }
        });

        foreach (var fanOut in fanOuts)
        {
            foreach (var inner in Directory.EnumerateDirectories(fanOut).Where(s => IsHexName(s, 2)).ToList())
            {
                DeleteIfEmpty(inner);
            }

            DeleteIfEmpty(fanOut);
        }

        logger.LogWarning("Moved {Moved} blocks into pack files ({Kept} damaged files left in place).", moved, kept);
    }

    private static bool IsHexName(string path, int length)
    {
        var name = Path.GetFileName(path);
        return name.Length == length && name.All(char.IsAsciiHexDigitLower);
    }

    private static void DeleteIfEmpty(string folder)
    {
        if (!Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }
}
