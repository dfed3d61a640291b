namespace AmiVault.Catalog.Iam;

/// <summary>An IAM change refused by the rules the catalog keeps (names unique, at most two keys, nothing left attached).</summary>
internal sealed class IamConflictException(IamConflict conflict, string message) : Exception(message)
{
    public IamConflict Conflict { get; } = conflict;
}
