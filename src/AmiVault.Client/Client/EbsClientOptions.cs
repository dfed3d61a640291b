using AmiVault.Resilience;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;

namespace AmiVault.Client;

/// <summary>Where an <see cref="EbsClient"/> goes, who it is, and how patient it is.</summary>
internal sealed record EbsClientOptions
{
    /// <summary>The server's base URL, e.g. http://127.0.0.1:8750 or https://ebs.us-east-1.amazonaws.com.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>
    /// Who signs. Asked before every attempt, so credentials that refresh themselves (a role, a profile whose file
    /// is rewritten: <see cref="ReloadingCredentials"/>) are followed during a long transfer.
    /// </summary>
    public required AWSCredentials Credentials { get; init; }

    public required string Region { get; init; }

    /// <summary>
    /// Attempts, per-attempt timeout (connect, send, answer read whole), backoff and deadline of each call. The
    /// client is the only retry layer of its calls: do not wrap it in another.
    /// </summary>
    public RetryOptions Retry { get; init; } = new() { AttemptTimeoutSeconds = 60, MaxDelaySeconds = 5 };

    /// <summary>Connections kept to the server; 64 calls in flight is the intended use.</summary>
    public int MaxConnections { get; init; } = 128;

    /// <summary>Where retries are reported, so a stuck transfer is visible.</summary>
    public ILogger? Logger { get; init; }
}
