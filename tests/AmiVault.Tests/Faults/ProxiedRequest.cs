namespace AmiVault.Tests.Faults;

/// <summary>A request that reached <see cref="FaultProxy"/>: what it asked, the fault done to it (null: passed through), and when it arrived.</summary>
internal sealed record ProxiedRequest(string Method, string PathAndQuery, FaultKind? Fault, DateTimeOffset Arrived);
