namespace AmiVault.Protocols.Ebs;

/// <summary>The ValidationException reasons of the EBS model that this server gives.</summary>
internal static class EbsReason
{
    public const string InvalidParameterValue = "INVALID_PARAMETER_VALUE";
    public const string InvalidSnapshotId = "INVALID_SNAPSHOT_ID";
    public const string InvalidBlock = "INVALID_BLOCK";
    public const string InvalidBlockToken = "INVALID_BLOCK_TOKEN";
    public const string InvalidPageToken = "INVALID_PAGE_TOKEN";
    public const string InvalidVolumeSize = "INVALID_VOLUME_SIZE";
    public const string InvalidTag = "INVALID_TAG";
    public const string InvalidCustomerKey = "INVALID_CUSTOMER_KEY";
}
