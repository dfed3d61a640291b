using AmiVault.ObjectStore;

namespace AmiVault.Transfers;

/// <summary>One end of a copy: an object in a store, and the endpoint that names the store (for messages and state).</summary>
internal sealed record CopyEnd(IObjectStore Store, string Endpoint, string Bucket, string Key)
{
    public override string ToString() => $"s3://{Bucket}/{Key} at {Endpoint}";
}
