namespace AmiVault.Catalog;

/// <summary>The values of <see cref="SnapshotRecord.Status"/> (EBS and EC2 spell them the same).</summary>
internal static class SnapshotStatus
{
    public const string Pending = "pending";
    public const string Completed = "completed";
    public const string Error = "error";
}
