using AmiVault.ObjectStore;

namespace AmiVault.Protocols.S3;

/// <summary>Bucket operations: create, head, delete, location, default encryption, ACLs (private only).</summary>
internal static class BucketActions
{
    private const int MaxConfigurationXml = 64 * 1024;

    public static async Task ListBucketsAsync(S3Call call)
    {
        var buckets = await call.Store.ListBucketsAsync(call.Aborted);
        using var xml = new S3Xml("ListAllMyBucketsResult");
        xml.Principal("Owner", call.AccountId).Start("Buckets");
        foreach (var bucket in buckets)
        {
            xml.Start("Bucket").Value("Name", bucket.Name).Value("CreationDate", bucket.CreationDate).Value("BucketRegion", bucket.Region).End();
        }

        await call.RespondXmlAsync(xml.End());
    }

    /// <summary>
    /// CreateBucket, with S3's rules for LocationConstraint on a regional endpoint: none means us-east-1 (only valid
    /// there), us-east-1 itself is never written out, any other must be this server's region.
    /// </summary>
    public static async Task CreateAsync(S3Call call)
    {
        S3ObjectHeaders.RefusePublicAcl(call);
        ObjectStoreLimits.CheckBucketName(call.Bucket);
        var constraint = HasBody(call) ? (await call.ReadXmlAsync(MaxConfigurationXml)).ChildValue("LocationConstraint") : null;
        if (constraint == "EU")
        {
            constraint = "eu-west-1";
        }

        if (string.IsNullOrEmpty(constraint))
        {
            if (call.Region != "us-east-1")
            {
                throw new ObjectStoreException("IllegalLocationConstraintException", "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.", 400);
            }
        }
        else if (constraint == "us-east-1")
        {
            throw new ObjectStoreException("InvalidLocationConstraint", "The specified location-constraint is not valid", 400);
        }
        else if (constraint != call.Region)
        {
            throw new ObjectStoreException("IllegalLocationConstraintException", $"The {constraint} location constraint is incompatible for the region specific endpoint this request was sent to.", 400);
        }

        try
        {
            await call.Store.CreateBucketAsync(call.Bucket, call.Aborted);
        }
        catch (ObjectStoreException e) when (e.Code == "BucketAlreadyOwnedByYou" && call.Region == "us-east-1")
        {
            // us-east-1 answers a repeated CreateBucket by its owner with success (AWS's legacy behaviour, which
            // scripts there rely on); every other region says BucketAlreadyOwnedByYou.
        }

        call.Response.Headers.Location = "/" + call.Bucket;
        call.RespondEmpty();
    }

    public static async Task HeadAsync(S3Call call)
    {
        var bucket = await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        call.Response.Headers["x-amz-bucket-region"] = bucket.Region;
        call.RespondEmpty();
    }

    public static async Task DeleteAsync(S3Call call)
    {
        await call.Store.DeleteBucketAsync(call.Bucket, call.Aborted);
        call.RespondEmpty(204);
    }

    public static async Task GetLocationAsync(S3Call call)
    {
        var bucket = await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        using var xml = new S3Xml("LocationConstraint");
        if (bucket.Region != "us-east-1")
        {
            xml.Content(bucket.Region);
        }

        await call.RespondXmlAsync(xml);
    }

    public static async Task GetVersioningAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        using var xml = new S3Xml("VersioningConfiguration");
        await call.RespondXmlAsync(xml);
    }

    public static async Task PutEncryptionAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        var rules = (await call.ReadXmlAsync(MaxConfigurationXml)).Children("Rule").ToList();
        var algorithms = rules.Select(r => r.Child("ApplyServerSideEncryptionByDefault")?.ChildValue("SSEAlgorithm")).ToList();
        if (rules.Count != 1 || algorithms[0] is null)
        {
            throw S3Call.MalformedXml();
        }

        if (algorithms[0] != "AES256")
        {
            throw ObjectStoreErrors.InvalidArgument($"The encryption algorithm {algorithms[0]} is not supported; use AES256.");
        }

        await call.Store.PutBucketEncryptionAsync(call.Bucket, encryptByDefault: true, call.Aborted);
        call.RespondEmpty();
    }

    public static async Task GetEncryptionAsync(S3Call call)
    {
        if (!await call.Store.GetBucketEncryptionAsync(call.Bucket, call.Aborted))
        {
            throw new ObjectStoreException("ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found", 404) { Resource = call.Bucket };
        }

        using var xml = new S3Xml("ServerSideEncryptionConfiguration");
        xml.Start("Rule").Start("ApplyServerSideEncryptionByDefault").Value("SSEAlgorithm", "AES256").End().Value("BucketKeyEnabled", false).End();
        await call.RespondXmlAsync(xml);
    }

    public static async Task DeleteEncryptionAsync(S3Call call)
    {
        await call.Store.PutBucketEncryptionAsync(call.Bucket, encryptByDefault: false, call.Aborted);
        call.RespondEmpty(204);
    }

    public static async Task GetAclAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        await RespondOwnerOnlyAclAsync(call);
    }

    public static async Task PutAclAsync(S3Call call)
    {
        await call.Store.HeadBucketAsync(call.Bucket, call.Aborted);
        await CheckPrivateAclAsync(call);
        call.RespondEmpty();
    }

    /// <summary>An ACL request may keep things private (a canned private ACL, or grants to the owner only); nothing else.</summary>
    public static async Task CheckPrivateAclAsync(S3Call call)
    {
        S3ObjectHeaders.RefusePublicAcl(call);
        if (!HasBody(call))
        {
            return;
        }

        var policy = await call.ReadXmlAsync(MaxConfigurationXml);
        var grantees = policy.Child("AccessControlList")?.Children("Grant").Select(g => g.Child("Grantee")).ToList() ?? [];
        if (grantees.Any(g => g is null || g.ChildValue("ID") != call.AccountId))
        {
            throw ObjectStoreErrors.AccessDenied();
        }
    }

    public static async Task RespondOwnerOnlyAclAsync(S3Call call)
    {
        using var xml = new S3Xml("AccessControlPolicy");
        xml.Principal("Owner", call.AccountId).Start("AccessControlList").Start("Grant");
        xml.Start("Grantee").Attribute("xsi", "type", "http://www.w3.org/2001/XMLSchema-instance", "CanonicalUser")
            .Value("ID", call.AccountId).Value("DisplayName", call.AccountId).End();
        xml.Value("Permission", "FULL_CONTROL").End().End();
        await call.RespondXmlAsync(xml);
    }

    private static bool HasBody(S3Call call) =>
        call.Request.ContentLength > 0 || call.Request.Headers.TransferEncoding.Count > 0;
}
