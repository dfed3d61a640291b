namespace AmiVault.Catalog.Iam;

/// <summary>Why the catalog refused an IAM change; the IAM protocol answers each with AWS's error code of that name.</summary>
internal enum IamConflict
{
    NoSuchEntity,
    EntityAlreadyExists,
    LimitExceeded,
    DeleteConflict,
}
