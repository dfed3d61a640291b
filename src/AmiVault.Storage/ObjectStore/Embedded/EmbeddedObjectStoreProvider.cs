namespace AmiVault.ObjectStore.Embedded;

/// <summary>The embedded store: buckets as folders under the data folder, each owned by the account that created it.</summary>
internal sealed class EmbeddedObjectStoreProvider(EmbeddedStorage storage) : IObjectStoreProvider
{
    public IObjectStore ForAccount(string accountId) => new EmbeddedObjectStore(storage, accountId);
}
