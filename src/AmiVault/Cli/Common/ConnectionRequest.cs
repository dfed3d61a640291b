namespace AmiVault.Cli.Common;

/// <summary>What the command line said about a connection; unset values are resolved from environment and profile.</summary>
internal sealed record ConnectionRequest(string? Profile, string? Region, string? EndpointUrl);
