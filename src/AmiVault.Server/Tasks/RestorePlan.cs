using AmiVault.Archive;

namespace AmiVault.Tasks;

/// <summary>
/// A validated CreateRestoreImageTask, ready to be admitted: the tags are the stored ones merged with the request's
/// TagSpecifications, for the image and for each snapshot in manifest order.
/// </summary>
internal sealed record RestorePlan(
    string AccountId,
    string Bucket,
    string ObjectKey,
    string ETag,
    string Name,
    ArchiveManifest Manifest,
    long SizeBytes,
    IReadOnlyList<KeyValuePair<string, string>> ImageTags,
    IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> SnapshotTags);
