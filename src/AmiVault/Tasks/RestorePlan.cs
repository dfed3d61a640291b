using AmiVault.Archive;

namespace AmiVault.Tasks;

/// <summary>A validated CreateRestoreImageTask, ready to be admitted.</summary>
internal sealed record RestorePlan(
    string AccountId,
    string Bucket,
    string ObjectKey,
    string ETag,
    string Name,
    ArchiveManifest Manifest,
    long SizeBytes,
    IReadOnlyDictionary<string, List<KeyValuePair<string, string>>> TagSpecifications);
