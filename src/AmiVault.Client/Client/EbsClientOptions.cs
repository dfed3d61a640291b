using Microsoft.Extensions.Logging;

namespace AmiVault.Client;

/// <summary>Where an <see cref="EbsClient"/> goes, who it is, and how patient it is.</summary>
internal sealed record EbsClientOptions
{
    /// <summary>The server's base URL, e.g. http://127.0.0.1:8750 or https://ebs.us-east-1.amazonaws.com.</summary>
    public required Uri Endpoint { get; init; }

    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    /// <summary>The session token of temporary credentials (a role, SSO), sent as X-Amz-Security-Token.</summary>
    public string? SessionToken { get; init; }

    public required string Region { get; init; }

    /// <summary>How long one attempt (connect, send, answer read whole) may take before it is abandoned and retried.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts per call, the first included. The client is the only retry layer: do not wrap it in another.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The first backoff; it doubles per attempt (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Connections kept to the server; 64 calls in flight is the intended use.</summary>
    public int MaxConnections { get; init; } = 128;

    /// <summary>Where retries are reported, so a stuck transfer is visible.</summary>
    public ILogger? Logger { get; init; }
}
