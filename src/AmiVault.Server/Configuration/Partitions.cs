namespace AmiVault.Configuration;

/// <summary>AWS partitions as derived from a region name.</summary>
internal static class Partitions
{
    public static string FromRegion(string region) =>
        region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : "aws";
}
