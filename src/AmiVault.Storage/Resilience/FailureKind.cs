namespace AmiVault.Resilience;

/// <summary>What a failed attempt means for the next one.</summary>
internal enum FailureKind
{
    /// <summary>Another attempt would only repeat it: a client error (4xx), a bug, a damaged archive.</summary>
    Permanent,

    /// <summary>Worth another attempt after a backoff: 5xx, throttling, a broken or silent connection, data damaged in transit.</summary>
    Transient,

    /// <summary>The credentials are out of date (an expired token, rotated keys): worth one more attempt only with fresh ones.</summary>
    CredentialsExpired,
}
