namespace AmiVault.Auth;

/// <summary>Why a request was not authenticated; each protocol maps these onto its own error codes.</summary>
internal enum AuthFailureKind
{
    /// <summary>No Authorization header and no presigned query.</summary>
    Missing,

    /// <summary>The Authorization header or presigned query could not be parsed.</summary>
    Malformed,

    /// <summary>Signed with Signature Version 2 (`AWS key:sig`, `AWSAccessKeyId`+`Signature`), which is not served.</summary>
    UnsupportedSignatureVersion,

    /// <summary>The access key id is not known.</summary>
    UnknownAccessKey,

    /// <summary>The signature computed here differs from the one sent.</summary>
    SignatureMismatch,

    /// <summary>The request time is more than 15 minutes from the server's clock.</summary>
    ClockSkew,

    /// <summary>A presigned request whose validity ran out.</summary>
    Expired,

    /// <summary>The credential scope names another region.</summary>
    WrongRegion,

    /// <summary>The credential scope names another service than the one the request is for.</summary>
    WrongService,

    /// <summary>The body does not hash to the signed x-amz-content-sha256.</summary>
    ContentHashMismatch,

    /// <summary>Temporary credentials without their session token, or with a wrong one; or a disabled key.</summary>
    InvalidToken,

    /// <summary>Temporary credentials past their expiration.</summary>
    ExpiredToken,

    /// <summary>The body is larger than this kind of request may be when it must be buffered to be hashed.</summary>
    BodyTooLarge,
}

internal sealed class AuthFailureException(AuthFailureKind kind, string message) : Exception(message)
{
    public AuthFailureKind Kind { get; } = kind;
}
