using AmiVault.ObjectStore;

namespace AmiVault.Transfers;

/// <summary>One side of a sync: the objects under a prefix of a bucket (the prefix empty or ending in '/').</summary>
internal sealed record SyncEnd(IObjectStore Store, string Endpoint, string Bucket, string Prefix)
{
    /// <summary>The object at <paramref name="relativeKey"/> under this side's prefix.</summary>
    public CopyEnd At(string relativeKey) => new(Store, Endpoint, Bucket, Prefix + relativeKey);

    public string Uri(string relativeKey) => $"s3://{Bucket}/{Prefix}{relativeKey}";

    public override string ToString() => $"s3://{Bucket}/{Prefix} at {Endpoint}";
}
