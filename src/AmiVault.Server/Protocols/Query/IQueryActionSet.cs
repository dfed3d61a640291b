namespace AmiVault.Protocols.Query;

/// <summary>A group of actions of one Query service (iam or sts); register implementations in the service collection.</summary>
internal interface IQueryActionSet
{
    string Service { get; }

    IEnumerable<QueryAction> Actions { get; }
}
