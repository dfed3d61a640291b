namespace AmiVault.Catalog.Iam;

/// <summary>
/// Users, access keys, roles, policies and STS sessions. Every change checks its rules in the same transaction that
/// makes it (IamConflictException when refused), so concurrent callers cannot both pass a check.
/// </summary>
internal interface IIamCatalog
{
    IamContents Load();

    /// <summary>
    /// A number every committed IAM change increases (in the change's own transaction): a server compares it with
    /// the generation of the contents it holds to learn that another node changed IAM.
    /// </summary>
    long Generation();

    Task CreateUserAsync(IamUserRecord user, CancellationToken cancellationToken = default);

    /// <summary>Refused (DeleteConflict) while the user has access keys, inline policies or attachments, as in IAM.</summary>
    Task DeleteUserAsync(string accountId, string userName, CancellationToken cancellationToken = default);

    /// <summary>Refused (LimitExceeded) when the user already has <paramref name="maxKeys"/> keys.</summary>
    Task CreateAccessKeyAsync(IamAccessKeyRecord key, int maxKeys, CancellationToken cancellationToken = default);

    Task SetAccessKeyActiveAsync(string accountId, string userName, string accessKeyId, bool active, CancellationToken cancellationToken = default);

    Task DeleteAccessKeyAsync(string accountId, string userName, string accessKeyId, CancellationToken cancellationToken = default);

    Task CreateRoleAsync(IamRoleRecord role, CancellationToken cancellationToken = default);

    Task UpdateTrustPolicyAsync(string accountId, string roleName, string trustPolicy, CancellationToken cancellationToken = default);

    Task DeleteRoleAsync(string accountId, string roleName, CancellationToken cancellationToken = default);

    Task PutInlinePolicyAsync(IamInlinePolicyRecord policy, CancellationToken cancellationToken = default);

    Task DeleteInlinePolicyAsync(string accountId, IamPrincipalKind kind, string principalName, string policyName, CancellationToken cancellationToken = default);

    Task CreatePolicyAsync(IamManagedPolicyRecord policy, CancellationToken cancellationToken = default);

    /// <summary>Adds the next version; refused (LimitExceeded) at <paramref name="maxVersions"/>. Returns its number.</summary>
    Task<int> CreatePolicyVersionAsync(string accountId, string policyName, string document, bool setAsDefault, int maxVersions, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task SetDefaultPolicyVersionAsync(string accountId, string policyName, int version, CancellationToken cancellationToken = default);

    /// <summary>Refused (DeleteConflict) for the default version.</summary>
    Task DeletePolicyVersionAsync(string accountId, string policyName, int version, CancellationToken cancellationToken = default);

    /// <summary>Refused (DeleteConflict) while attached or holding versions other than the default.</summary>
    Task DeletePolicyAsync(string accountId, string policyName, CancellationToken cancellationToken = default);

    Task AttachAsync(IamAttachmentRecord attachment, CancellationToken cancellationToken = default);

    Task DetachAsync(IamAttachmentRecord attachment, CancellationToken cancellationToken = default);

    Task CreateSessionAsync(StsSessionRecord session, CancellationToken cancellationToken = default);

    /// <summary>Forgets sessions that expired before <paramref name="now"/>.</summary>
    Task PurgeSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Sets (or replaces) a bucket's policy.</summary>
    Task PutBucketPolicyAsync(BucketPolicyRecord policy, CancellationToken cancellationToken = default);

    /// <summary>Removes a bucket's policy; nothing to remove is not an error (as S3's DeleteBucketPolicy).</summary>
    Task DeleteBucketPolicyAsync(string bucket, CancellationToken cancellationToken = default);
}
