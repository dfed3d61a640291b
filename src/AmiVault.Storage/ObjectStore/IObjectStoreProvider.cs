namespace AmiVault.ObjectStore;

/// <summary>Hands out the object store as one account sees it: its own buckets, its own credentials.</summary>
internal interface IObjectStoreProvider
{
    IObjectStore ForAccount(string accountId);
}
