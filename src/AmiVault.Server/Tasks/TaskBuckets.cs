using AmiVault.Iam;
using AmiVault.ObjectStore;

namespace AmiVault.Tasks;

/// <summary>The checks store and restore requests share on the bucket and object they name, as rejections a caller can act on.</summary>
internal static class TaskBuckets
{
    /// <summary>
    /// The view of the store <paramref name="bucket"/> is reached through by <paramref name="accountId"/>: its
    /// owner's when a bucket policy of another account names it (whether that policy allows the task's reads or
    /// writes is the Authorizer's to judge, at admission and while the task runs), else the account's own.
    /// </summary>
    public static IObjectStore StoreOf(IObjectStoreProvider stores, Authorizer authorizer, string bucket, string accountId) =>
        stores.ForAccount(authorizer.BucketOwner(bucket) ?? accountId);

    /// <summary>The bucket must exist, be the caller's (so writable and readable by it), and be in <paramref name="region"/>.</summary>
    public static async Task RequireAsync(IObjectStore store, string bucket, string region, CancellationToken cancellationToken)
    {
        BucketInfo info;
        try
        {
            info = await store.HeadBucketAsync(bucket, cancellationToken);
        }
        catch (ObjectStoreException e) when (e.Code is "NoSuchBucket" or "InvalidBucketName" or "NotFound")
        {
            throw new TaskRejectedException("InvalidParameterValue", $"The bucket {bucket} does not exist.");
        }
        catch (ObjectStoreException e)
        {
            throw new TaskRejectedException("InvalidParameterValue", $"The bucket {bucket} is not accessible to this account ({e.Code}).");
        }

        if (info.Region != region)
        {
            throw new TaskRejectedException("InvalidParameterValue", $"The bucket {bucket} is in {info.Region}; it must be in this region, {region}.");
        }
    }

    /// <summary>The object's description, or null when there is no such object; any other failure is a rejection.</summary>
    public static async Task<ObjectInfo?> HeadObjectAsync(IObjectStore store, string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            return await store.HeadObjectAsync(bucket, key, cancellationToken);
        }
        catch (ObjectStoreException e) when (e.Code is "NoSuchKey" or "NotFound")
        {
            return null;
        }
        catch (ObjectStoreException e)
        {
            throw Unreadable(bucket, key, e);
        }
    }

    public static TaskRejectedException Unreadable(string bucket, string key, ObjectStoreException e) =>
        new("InvalidParameterValue", $"s3://{bucket}/{key} cannot be read by this account: {e.Code}: {e.Message}");
}
