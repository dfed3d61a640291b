namespace AmiVault.Auth;

internal enum IamPrincipalType
{
    /// <summary>The account's own keys from the configuration: allowed everything in its account.</summary>
    Root,

    User,

    AssumedRole,
}
