namespace AmiVault.Iam.Policies;

internal enum PolicyEffect
{
    Allow,
    Deny,
}
