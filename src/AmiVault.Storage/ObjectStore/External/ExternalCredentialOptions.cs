namespace AmiVault.ObjectStore.External;

/// <summary>Keys for an external S3: a named profile of the AWS shared config/credentials files, or a key pair.</summary>
internal sealed class ExternalCredentialOptions
{
    public string? Profile { get; set; }

    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }
}
