namespace AmiVault.Catalog.Iam;

/// <summary>
/// Everything IAM holds, for all accounts (and the bucket policies, which the same evaluation reads): small enough to keep in memory and reload whole after a change.
/// <paramref name="Generation"/> is the catalog's IAM generation the contents were read at.
/// </summary>
internal sealed record IamContents(
    long Generation,
    IReadOnlyList<IamUserRecord> Users,
    IReadOnlyList<IamAccessKeyRecord> AccessKeys,
    IReadOnlyList<IamRoleRecord> Roles,
    IReadOnlyList<IamManagedPolicyRecord> Policies,
    IReadOnlyList<IamInlinePolicyRecord> InlinePolicies,
    IReadOnlyList<IamAttachmentRecord> Attachments,
    IReadOnlyList<StsSessionRecord> Sessions,
    IReadOnlyList<BucketPolicyRecord> BucketPolicies);
