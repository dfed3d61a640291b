namespace AmiVault.ObjectStore;

/// <summary>What one pass of the lifecycle rules did: objects deleted, uploads aborted.</summary>
internal sealed record LifecycleSweep(int ObjectsExpired, int UploadsAborted)
{
    public static readonly LifecycleSweep None = new(0, 0);

    public LifecycleSweep Add(LifecycleSweep other) => new(ObjectsExpired + other.ObjectsExpired, UploadsAborted + other.UploadsAborted);
}
