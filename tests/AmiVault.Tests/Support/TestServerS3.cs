using AmiVault.Accounts;
using Amazon.Runtime;
using Amazon.S3;

namespace AmiVault.Tests.Support;

/// <summary>AWSSDK.S3 clients for a <see cref="TestServer"/>, with the SDK's default settings apart from the endpoint.</summary>
internal static class TestServerS3
{
    /// <summary>AWSSDK.S3 with its defaults; <paramref name="checksumsOnlyWhenRequired"/>: no flexible checksum unless an operation needs one.</summary>
    public static AmazonS3Client S3(this TestServer server, Account? account = null, string? secretOverride = null, bool checksumsOnlyWhenRequired = false)
    {
        account ??= TestServer.Alice;
        var config = new AmazonS3Config
        {
            ServiceURL = server.EndpointUrl,
            ForcePathStyle = true,
            AuthenticationRegion = server.Region,
            MaxErrorRetry = 0,
        };
        if (checksumsOnlyWhenRequired)
        {
            config.RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED;
        }

        return new AmazonS3Client(new BasicAWSCredentials(account.AccessKeyId, secretOverride ?? account.SecretAccessKey), config);
    }
}
