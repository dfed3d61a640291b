namespace AmiVault.Catalog.Iam;

/// <summary>A bucket's policy (S3 PutBucketPolicy): the account that owns the bucket and the document as it was put.</summary>
internal sealed record BucketPolicyRecord(string Bucket, string OwnerId, string Document);
