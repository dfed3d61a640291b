using AmiVault.Configuration;

namespace AmiVault.Configuration;

/// <summary>What every part of a running server may ask about where it is: region, partition, data folder, options.</summary>
internal sealed record ServerContext(AmiVaultOptions Options)
{
    public string Region => Options.Region;

    public string Partition => Options.EffectivePartition;

    public string DataDir => Options.DataDir;

    /// <summary>The key EBS encrypts with when nothing else is asked for: the account's AWS-managed key (alias/aws/ebs).</summary>
    public string DefaultEbsKmsKeyArn(string accountId) => $"arn:{Partition}:kms:{Region}:{accountId}:alias/aws/ebs";
}
