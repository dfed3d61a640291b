using System.Globalization;
using AmiVault.Blocks;
using AmiVault.Catalog;
using AmiVault.Ebs;

namespace AmiVault.Protocols.Ebs;

/// <summary>The EBS model's constraints on ids, indexes, tokens and checksums, shared by every operation.</summary>
internal static class EbsValidation
{
    public const long MaxVolumeSizeGib = 65536;
    public const long BlocksPerGib = (1L << 30) / IBlockStore.BlockSize;
    public const int MinMaxResults = 100;
    public const int MaxMaxResults = 10000;
    private const int MaxTokenLength = 256;

    public static string SnapshotId(string? id, string parameter = "SnapshotId")
    {
        if (id is null || id.Length is < 6 or > 64 || !id.StartsWith("snap-", StringComparison.Ordinal) || id.AsSpan(5).ContainsAnyExcept("0123456789abcdef"))
        {
            throw EbsException.Validation(EbsReason.InvalidSnapshotId, $"{parameter} '{Truncate(id)}' is not a snapshot id (snap- and hex digits).");
        }

        return id;
    }

    /// <summary>An optional integer header or query value within [min, max]; null when absent.</summary>
    public static long? Integer(string? text, string name, long min, long max, string reason = EbsReason.InvalidParameterValue)
    {
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw EbsException.Validation(reason, $"{name} '{Truncate(text)}' must be an integer from {min} to {max}.");
        }

        return value;
    }

    public static long RequiredInteger(string? text, string name, long min, long max, string reason = EbsReason.InvalidParameterValue) =>
        Integer(text, name, min, max, reason)
        ?? throw EbsException.Validation(reason, $"{name} is required.");

    public static long BlockIndex(string? text) => RequiredInteger(text, "BlockIndex", 0, int.MaxValue);

    /// <summary>Block indexes of a volume of this size run from 0 to this, exclusive.</summary>
    public static long BlockCount(long volumeSizeGib) => volumeSizeGib * BlocksPerGib;

    public static void WithinVolume(long blockIndex, SnapshotRecord snapshot)
    {
        if (blockIndex >= BlockCount(snapshot.VolumeSizeGib))
        {
            throw EbsException.Validation(EbsReason.InvalidBlock,
                $"Block index {blockIndex} is beyond the end of the {snapshot.VolumeSizeGib} GiB volume of {snapshot.SnapshotId} (last index {BlockCount(snapshot.VolumeSizeGib) - 1}).");
        }
    }

    /// <summary>A block or page token as the model allows it: up to 256 base64 characters.</summary>
    public static string Token(string? text, string name, string reason)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxTokenLength)
        {
            throw EbsException.Validation(reason, $"{name} is missing or longer than {MaxTokenLength} characters.");
        }

        return text;
    }

    /// <summary>A base64 SHA-256 checksum header (x-amz-Checksum); its algorithm header must say SHA256.</summary>
    public static byte[] Sha256Checksum(string? checksum, string? algorithm)
    {
        if (algorithm != "SHA256")
        {
            throw EbsException.Validation(EbsReason.InvalidParameterValue, $"x-amz-Checksum-Algorithm '{Truncate(algorithm)}' is not supported; use SHA256.");
        }

        var digest = new byte[BlockHashes.Length];
        if (checksum is null || checksum.Length > 64 || !Convert.TryFromBase64String(checksum, digest, out var length) || length != BlockHashes.Length)
        {
            throw EbsException.Validation(EbsReason.InvalidParameterValue, $"x-amz-Checksum '{Truncate(checksum)}' is not a base64 SHA-256 digest.");
        }

        return digest;
    }

    /// <summary>The caller's snapshot, or SNAPSHOT_NOT_FOUND: another account's snapshot is not revealed to exist.</summary>
    public static async Task<SnapshotRecord> OwnedSnapshotAsync(ISnapshotCatalog catalog, string snapshotId, string accountId, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(snapshotId, cancellationToken);
        return snapshot is not null && snapshot.OwnerId == accountId ? snapshot : throw EbsException.SnapshotNotFound(snapshotId);
    }

    /// <summary>Reads need a sealed snapshot: the blocks of a pending one may still change under a token.</summary>
    public static void Completed(SnapshotRecord snapshot)
    {
        if (snapshot.Status != SnapshotStatus.Completed)
        {
            throw EbsException.Validation(EbsReason.InvalidSnapshotId, $"The snapshot {snapshot.SnapshotId} is {snapshot.Status}; only completed snapshots can be read.");
        }
    }

    public static void Pending(SnapshotRecord snapshot)
    {
        if (snapshot.Status != SnapshotStatus.Pending)
        {
            throw EbsException.Validation(EbsReason.InvalidSnapshotId, $"The snapshot {snapshot.SnapshotId} is {snapshot.Status}, not pending; blocks can only be written to a pending snapshot.");
        }
    }

    public static string Truncate(string? value) => value is null ? "" : value.Length <= 64 ? value : value[..64] + "…";
}
