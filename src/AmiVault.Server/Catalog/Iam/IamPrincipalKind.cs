namespace AmiVault.Catalog.Iam;

/// <summary>What inline policies and attachments belong to.</summary>
internal enum IamPrincipalKind
{
    User,
    Role,
}
