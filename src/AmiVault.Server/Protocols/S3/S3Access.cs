using AmiVault.Auth;
using AmiVault.Configuration;
using AmiVault.Iam;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.Embedded;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Protocols.S3;

/// <summary>
/// What one S3 caller may reach beyond the request's own resource: the authorization of the other objects an
/// operation touches (each key of DeleteObjects, the source of a copy) and the view of the store a bucket is reached
/// through — its owner's once that bucket's policy names it (the Authorizer then requires the policy's Allow across
/// accounts), else the caller's own.
/// </summary>
internal sealed class S3Access(Authorizer authorizer, EmbeddedObjectStoreProvider stores, ServerContext server, RequestIdentity identity, HttpContext context)
{
    /// <summary>Throws <see cref="AccessDeniedException"/> unless the caller may do <paramref name="action"/> on the bucket or its object.</summary>
    public void Demand(string action, string bucket, string? key = null) =>
        authorizer.Demand(identity, context, action, [key is null ? ResourceArns.Bucket(server, bucket) : ResourceArns.Object(server, bucket, key)]);

    /// <summary>The account whose store holds <paramref name="bucket"/> for this caller.</summary>
    public string OwnerOf(string bucket) => authorizer.BucketOwner(bucket) ?? identity.Account.Id;

    public IObjectStore StoreOf(string bucket) => stores.ForAccount(OwnerOf(bucket));
}
