namespace AmiVault.Tests.Faults;

/// <summary>
/// A request that reached <see cref="FaultProxy"/>: what it asked, the fault done to it (null: passed through), when it
/// arrived, who signed it (its Authorization header), and whether the server behind the proxy got it.
/// </summary>
internal sealed record ProxiedRequest(string Method, string PathAndQuery, FaultKind? Fault, DateTimeOffset Arrived, string Authorization, bool ReachedServer);
