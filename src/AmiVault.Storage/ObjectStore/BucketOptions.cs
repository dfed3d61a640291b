using AmiVault.ObjectStore.External;

namespace AmiVault.ObjectStore;

/// <summary>Where the server keeps buckets: its own embedded store, or an external S3 service.</summary>
internal sealed class BucketOptions
{
    /// <summary>"embedded" (default) or "external".</summary>
    public string Backend { get; set; } = "embedded";

    public string? EndpointUrl { get; set; }

    public string? Region { get; set; }

    public string? Profile { get; set; }

    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public bool ForcePathStyle { get; set; } = true;

    /// <summary>
    /// Credentials an account's buckets are reached with on the external S3, by account id; an account without an
    /// entry uses the backend's own (<see cref="Profile"/>, <see cref="AccessKeyId"/>, or the AWS default chain).
    /// </summary>
    public Dictionary<string, ExternalCredentialOptions> AccountCredentials { get; set; } = [];
}
