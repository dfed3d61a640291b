using AmiVault.Client;
using AmiVault.Configuration;
using AmiVault.ObjectStore.External;
using AmiVault.Resilience;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.SimpleSystemsManagement;

namespace AmiVault.Cli.Common;

/// <summary>
/// Who a command is and where it sends its requests, resolved the way the AWS CLI does it, so the same environment
/// and ~/.aws files work for both: credentials from --profile, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
/// (+AWS_SESSION_TOKEN), else the profile named by AWS_PROFILE or 'default'; the region from --region, AWS_REGION,
/// AWS_DEFAULT_REGION, the profile; the endpoint per service from --endpoint-url, AWS_ENDPOINT_URL_&lt;SERVICE&gt;,
/// AWS_ENDPOINT_URL, the profile's services section or endpoint_url, else AWS's own. One AmiVault server answers
/// EC2, EBS, S3 and SSM (Parameter Store) on one URL, so one --endpoint-url serves them all.
/// </summary>
internal sealed class AwsConnection
{
    private readonly CliHost _host;
    private readonly AwsConfigFiles _files;
    private readonly ConnectionRequest _request;

    private AwsConnection(CliHost host, AwsConfigFiles files, ConnectionRequest request, string profile, string region, AWSCredentials credentials)
    {
        _host = host;
        _files = files;
        _request = request;
        ProfileName = profile;
        Region = region;
        Credentials = credentials;
    }

    public string ProfileName { get; }

    public string Region { get; }

    public AWSCredentials Credentials { get; }

    public static bool IsEndpointUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>Resolves profile, region and credentials; fails with what to set when one is missing.</summary>
    public static AwsConnection Resolve(CliHost host, ConnectionRequest request, string what = "the endpoint")
    {
        var files = AwsConfigFiles.Load(host);
        var profile = request.Profile ?? host.NonEmpty("AWS_PROFILE") ?? "default";
        if ((request.Profile is not null || host.NonEmpty("AWS_PROFILE") is not null) && !files.HasProfile(profile))
        {
            throw CliException.Configuration(
                $"The config profile ({profile}) could not be found in {files.ConfigPath} or {files.CredentialsPath}. Create it with `aws configure --profile {profile}`, or name another.");
        }

        var region = request.Region ?? host.NonEmpty("AWS_REGION") ?? host.NonEmpty("AWS_DEFAULT_REGION") ?? files.Get(profile, "region")
            ?? throw CliException.Configuration(
                $"No region for {what}. Pass --region, set AWS_REGION, or add `region = ...` to profile '{profile}' (`aws configure set region us-east-1 --profile {profile}`).");
        return new AwsConnection(host, files, request, profile, region, ResolveCredentials(host, files, request.Profile, profile, what));
    }

    /// <summary>A connection with known keys to one endpoint for every service (the demo's own servers).</summary>
    public static AwsConnection ForKeys(CliHost host, string accessKeyId, string secretAccessKey, string region, Uri endpoint) =>
        new(host, AwsConfigFiles.Load(host), new ConnectionRequest(null, region, endpoint.ToString()), "default", region, new BasicAWSCredentials(accessKeyId, secretAccessKey));

    /// <summary>The URL configured for <paramref name="service"/> ("ec2", "ebs", "s3", "ssm"), or null for AWS's own.</summary>
    public Uri? ConfiguredEndpoint(string service)
    {
        var text = _request.EndpointUrl;
        var ignore = string.Equals(_host.NonEmpty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ?? _files.Get(ProfileName, "ignore_configured_endpoint_urls"), "true", StringComparison.OrdinalIgnoreCase);
        if (text is null && !ignore)
        {
            var services = _files.Get(ProfileName, "services");
            text = _host.NonEmpty("AWS_ENDPOINT_URL_" + service.ToUpperInvariant())
                ?? _host.NonEmpty("AWS_ENDPOINT_URL")
                ?? (services is null ? null : _files.Service(services, service + ".endpoint_url"))
                ?? _files.Get(ProfileName, "endpoint_url");
        }

        if (text is null)
        {
            return null;
        }

        return IsEndpointUrl(text) ? new Uri(text) : throw CliException.Configuration($"The endpoint URL '{text}' configured for {service} is not an http:// or https:// URL.");
    }

    /// <summary>The URL requests for <paramref name="service"/> go to: the configured one, else AWS's regional endpoint.</summary>
    public Uri Endpoint(string service) =>
        ConfiguredEndpoint(service) ?? new Uri($"https://{service}.{Region}.{(Partitions.FromRegion(Region) == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com")}");

    public string Describe(string service) => $"{Endpoint(service).ToString().TrimEnd('/')} (region {Region})";

    /// <summary>EC2, every call through the one retry policy (the SDK's own retries are off).</summary>
    public IAmazonEC2 CreateEc2() =>
        ResilientClient<IAmazonEC2>.Wrap(new AmazonEC2Client(Credentials, Configure(new AmazonEC2Config(), "ec2")), Policy("EC2", "ec2"));

    /// <summary>Parameter Store (AMI aliases): AmiVault answers it on the same URL as EC2. Its calls too go through the policy.</summary>
    public IAmazonSimpleSystemsManagement CreateSsm() =>
        ResilientClient<IAmazonSimpleSystemsManagement>.Wrap(
            new AmazonSimpleSystemsManagementClient(Credentials, Configure(new AmazonSimpleSystemsManagementConfig(), "ssm")), Policy("SSM", "ssm"));

    public EbsClient CreateEbs(int maxConnections) =>
        new(new EbsClientOptions { Endpoint = Endpoint("ebs"), Credentials = Credentials, Region = Region, MaxConnections = maxConnections });

    /// <summary>The S3 side as our object-store interface, every call through the one retry policy (the SDK's own retries are off).</summary>
    public ObjectStoreClient CreateObjectStore(int maxConnections)
    {
        var endpoint = ConfiguredEndpoint("s3")?.ToString();
        return new(ExternalS3Clients.Create(Credentials, Region, endpoint, forcePathStyle: true, maxConnections), Region, Policy("S3", "s3"));
    }

    /// <summary>The retry policy of one service's client: default patience, and these credentials refreshed when refused as expired.</summary>
    private ResiliencePolicy Policy(string name, string service) => new(new RetryOptions())
    {
        Target = $"{name} at {Describe(service)}",
        RefreshCredentials = ReloadingCredentials.RefreshOf(Credentials),
    };

    /// <summary>Our endpoint resolution, not the SDK's (which would read the same variables a second way), and our retries, not the SDK's.</summary>
    private T Configure<T>(T config, string service)
        where T : ClientConfig
    {
        RetryingHttpClientFactory.HandOver(config);
        config.AuthenticationRegion = Region;
        config.IgnoreConfiguredEndpointUrls = true;
        if (ConfiguredEndpoint(service) is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(Region);
        }

        return config;
    }

    private static AWSCredentials ResolveCredentials(CliHost host, AwsConfigFiles files, string? explicitProfile, string profile, string what)
    {
        if (explicitProfile is null && host.NonEmpty("AWS_ACCESS_KEY_ID") is { } envKey)
        {
            var envSecret = host.NonEmpty("AWS_SECRET_ACCESS_KEY")
                ?? throw CliException.Configuration("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither to use a profile.");
            return Keys(envKey, envSecret, host.NonEmpty("AWS_SESSION_TOKEN"));
        }

        if (files.HasProfile(profile))
        {
            // Read again whenever the files change, so keys rotated during a long import or copy are followed.
            var fromFiles = FromProfile(files, profile) ?? throw CliException.Configuration(
                $"Profile '{profile}' has no credentials amivault can use (aws_access_key_id/aws_secret_access_key, role_arn, sso_session or credential_process).");
            return new ReloadingCredentials(
                [files.CredentialsPath, files.ConfigPath],
                () => FromProfile(AwsConfigFiles.Load(host), profile) ?? throw new InvalidOperationException($"Profile '{profile}' no longer has credentials."));
        }

        if (host.AllowAmbientCredentials)
        {
            try
            {
                return DefaultAWSCredentialsIdentityResolver.GetCredentials();
            }
            catch (AmazonClientException)
            {
                // Nothing ambient either: the message below says what to set.
            }
        }

        throw CliException.Configuration(
            $"Unable to locate credentials for {what}. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure`, or pass --profile. "
            + "For a local AmiVault, `amivault serve` prints the keys to export.");
    }

    /// <summary>The profile's keys, else what the SDK makes of its role_arn, sso_session or credential_process; null when it has none.</summary>
    private static AWSCredentials? FromProfile(AwsConfigFiles files, string profile) =>
        files.Get(profile, "aws_access_key_id") is { } key && files.Get(profile, "aws_secret_access_key") is { } secret
            ? Keys(key, secret, files.Get(profile, "aws_session_token"))
            : new CredentialProfileStoreChain(files.CredentialsPath).TryGetAWSCredentials(profile, out var fromProfile) ? fromProfile : null;

    private static AWSCredentials Keys(string key, string secret, string? token) =>
        token is null ? new BasicAWSCredentials(key, secret) : new SessionAWSCredentials(key, secret, token);
}
