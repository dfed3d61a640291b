using System.Text;
using AmiVault.Catalog.Iam;
using AmiVault.Iam;
using AmiVault.Iam.Policies;
using AmiVault.ObjectStore;

namespace AmiVault.Protocols.S3;

/// <summary>
/// Put/Get/DeleteBucketPolicy. A bucket policy can open a bucket to other accounts or their principals (a restore
/// from a shared bucket); it is validated as the policy engine will evaluate it (anything it cannot evaluate is
/// MalformedPolicy), must name only this bucket and its objects, and may not make the bucket public (S3's Block
/// Public Access, always on here). Only the bucket's owner reaches these, through its own view of the store.
/// </summary>
internal sealed class BucketPolicyActions(IamDirectory iam)
{
    /// <summary>S3's limit on a bucket policy's size.</summary>
    private const int MaxPolicyBytes = 20 * 1024;

    public async Task PutAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        var text = await call.ReadTextAsync(MaxPolicyBytes, () => Malformed("Policies must be less than 20 KB."));
        PolicyDocument policy;
        try
        {
            policy = PolicyParser.Parse(text, PolicyKind.Resource);
        }
        catch (MalformedPolicyException e)
        {
            throw Malformed(e.Message);
        }

        if (policy.Statements.SelectMany(s => s.Resources ?? []).Any(r => ResourceArns.BucketOf(r) != call.Bucket))
        {
            throw Malformed("Policy has invalid resource");
        }

        if (policy.IsPublic)
        {
            throw new ObjectStoreException("AccessDenied",
                "Access Denied: this policy would make the bucket public, and public policies are blocked by the BlockPublicPolicy block public access setting.", 403) { Resource = call.Bucket };
        }

        await iam.ChangeAsync(c => c.PutBucketPolicyAsync(new BucketPolicyRecord(call.Bucket, call.AccountId, text), call.Aborted));
        call.RespondEmpty(204);
    }

    public async Task GetAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        var policy = iam.Current.BucketPolicyRecord(call.Bucket) is { } record && record.OwnerId == call.AccountId
            ? record.Document
            : throw new ObjectStoreException("NoSuchBucketPolicy", "The bucket policy does not exist", 404) { Resource = call.Bucket };
        var bytes = Encoding.UTF8.GetBytes(policy);
        call.Response.StatusCode = 200;
        call.Response.ContentType = "application/json";
        call.Response.ContentLength = bytes.Length;
        await call.Response.Body.WriteAsync(bytes, call.Aborted);
    }

    public async Task DeleteAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        await ForgetAsync(call);
        call.RespondEmpty(204);
    }

    /// <summary>DeleteBucket: the bucket goes, and its policy with it (a later bucket of that name starts without one).</summary>
    public async Task DeleteBucketAsync(S3Call call)
    {
        await BucketActions.DeleteAsync(call);
        await ForgetAsync(call);
    }

    private Task ForgetAsync(S3Call call) =>
        iam.Current.BucketPolicyRecord(call.Bucket) is { } record && record.OwnerId == call.AccountId
            ? iam.ChangeAsync(c => c.DeleteBucketPolicyAsync(call.Bucket, call.Aborted))
            : Task.CompletedTask;

    private static ObjectStoreException Malformed(string message) => new("MalformedPolicy", message, 400);
}
