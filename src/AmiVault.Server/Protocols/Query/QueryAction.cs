namespace AmiVault.Protocols.Query;

/// <summary>
/// One IAM or STS action: its name, the IAM action it is authorized as, the resources it touches (from its
/// parameters), and what it does. The endpoint authorizes before it executes.
/// </summary>
internal sealed record QueryAction(string Name, Func<QueryCall, IReadOnlyList<string>> Resources, Func<QueryCall, Task> ExecuteAsync, bool NeedsNoPermission = false);
