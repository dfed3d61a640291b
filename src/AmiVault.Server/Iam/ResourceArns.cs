using AmiVault.Configuration;

namespace AmiVault.Iam;

/// <summary>
/// The ARNs requests are authorized against, shaped as AWS's service authorization reference gives them: images
/// and snapshots carry the region but no account, buckets and objects neither, IAM entities the account.
/// </summary>
internal static class ResourceArns
{
    public const string Any = "*";

    public static string Image(ServerContext server, string imageId) => $"arn:{server.Partition}:ec2:{server.Region}::image/{imageId}";

    public static string Snapshot(ServerContext server, string snapshotId) => $"arn:{server.Partition}:ec2:{server.Region}::snapshot/{snapshotId}";

    /// <summary>An EC2 resource by its id: images and snapshots by ARN, anything else has no resource-level permission here.</summary>
    public static string Ec2(ServerContext server, string id) =>
        id.StartsWith("ami-", StringComparison.Ordinal) ? Image(server, id)
        : id.StartsWith("snap-", StringComparison.Ordinal) ? Snapshot(server, id)
        : Any;

    public static string Bucket(ServerContext server, string bucket) => $"arn:{server.Partition}:s3:::{bucket}";

    public static string Object(ServerContext server, string bucket, string key) => $"arn:{server.Partition}:s3:::{bucket}/{key}";

    /// <summary>The bucket an S3 bucket or object ARN names; null for any other ARN.</summary>
    public static string? BucketOf(string arn)
    {
        var parts = arn.Split(':', 6);
        return parts is ["arn", _, "s3", "", "", var path] && path.Length > 0 && path.Split('/', 2)[0] is { Length: > 0 } bucket && !bucket.Contains('*') && !bucket.Contains('?')
            ? bucket
            : null;
    }

    public static string User(ServerContext server, string accountId, string userName) => $"arn:{server.Partition}:iam::{accountId}:user/{userName}";

    public static string Role(ServerContext server, string accountId, string roleName) => $"arn:{server.Partition}:iam::{accountId}:role/{roleName}";

    public static string Policy(ServerContext server, string accountId, string policyName) => $"arn:{server.Partition}:iam::{accountId}:policy/{policyName}";
}
