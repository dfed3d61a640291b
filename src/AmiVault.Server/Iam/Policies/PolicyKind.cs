namespace AmiVault.Iam.Policies;

/// <summary>Where a policy is attached, which decides the fields it must and must not have.</summary>
internal enum PolicyKind
{
    /// <summary>Attached to a user or role (inline or managed): Resource required, Principal forbidden.</summary>
    Identity,

    /// <summary>Attached to a resource (a bucket policy): Principal and Resource required.</summary>
    Resource,

    /// <summary>A role's trust policy: Principal required, Resource forbidden, only sts: actions.</summary>
    Trust,
}
