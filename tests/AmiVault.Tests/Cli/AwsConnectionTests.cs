using AmiVault.Cli.Common;
using Amazon.Runtime;

namespace AmiVault.Tests.Cli;

/// <summary>How credentials, region and endpoints are found: the AWS CLI's order, from environment and ~/.aws files.</summary>
public sealed class AwsConnectionTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("amivault-aws-config-").FullName;
    private readonly Dictionary<string, string> _environment = [];

    public AwsConnectionTests()
    {
        Directory.CreateDirectory(Path.Combine(_home, ".aws"));
        _environment["HOME"] = _home;
        File.WriteAllText(Path.Combine(_home, ".aws", "credentials"), """
            [default]
            aws_access_key_id = AKIADEFAULT
            aws_secret_access_key = default-secret

            [lab]
            aws_access_key_id = AKIALAB
            aws_secret_access_key = lab-secret
            aws_session_token = lab-token
            """);
        File.WriteAllText(Path.Combine(_home, ".aws", "config"), """
            [default]
            region = eu-central-1

            [profile lab]
            region = us-gov-west-1
            services = local-services
            endpoint_url = http://everything.local:8750

            [services local-services]
            s3 =
              endpoint_url = http://s3.local:9000
            """);
    }

    [Fact]
    public void A_services_section_gives_a_service_its_own_endpoint_before_the_profile_wide_one()
    {
        var lab = Resolve(profile: "lab");

        Assert.Equal(new Uri("http://s3.local:9000"), lab.ConfiguredEndpoint("s3"));
        Assert.Equal(new Uri("http://everything.local:8750"), lab.Endpoint("ebs"));
        Assert.Equal("us-gov-west-1", lab.Region);
    }

    [Fact]
    public void Without_a_configured_endpoint_each_service_goes_to_aws_in_its_partition()
    {
        Assert.Equal(new Uri("https://ebs.eu-central-1.amazonaws.com"), Resolve().Endpoint("ebs"));
        Assert.Equal(new Uri("https://ebs.cn-north-1.amazonaws.com.cn"), Resolve(region: "cn-north-1").Endpoint("ebs"));
    }

    [Fact]
    public void A_profile_on_the_command_line_wins_over_keys_in_the_environment_which_win_over_AWS_PROFILE()
    {
        _environment["AWS_ACCESS_KEY_ID"] = "AKIAENV";
        _environment["AWS_SECRET_ACCESS_KEY"] = "env-secret";
        _environment["AWS_PROFILE"] = "lab";

        var explicitProfile = Resolve(profile: "lab").Credentials.GetCredentials();
        var environment = Resolve().Credentials.GetCredentials();

        Assert.Equal(("AKIALAB", "lab-token"), (explicitProfile.AccessKey, explicitProfile.Token));
        Assert.Equal("AKIAENV", environment.AccessKey);
        Assert.IsType<BasicAWSCredentials>(Resolve().Credentials);
    }

    [Fact]
    public void The_endpoint_variables_win_over_the_profile_service_specific_first_unless_ignored()
    {
        _environment["AWS_ENDPOINT_URL"] = "http://global.local";
        _environment["AWS_ENDPOINT_URL_S3"] = "http://s3-env.local";

        var lab = Resolve(profile: "lab");
        Assert.Equal(new Uri("http://s3-env.local"), lab.ConfiguredEndpoint("s3"));
        Assert.Equal(new Uri("http://global.local"), lab.ConfiguredEndpoint("ec2"));
        Assert.Equal(new Uri("http://flag.local"), Resolve(profile: "lab", endpoint: "http://flag.local").ConfiguredEndpoint("s3"));

        _environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
        Assert.Null(Resolve(profile: "lab").ConfiguredEndpoint("s3"));
    }

    [Fact]
    public void The_region_comes_from_the_flag_then_the_environment_then_the_profile()
    {
        _environment["AWS_DEFAULT_REGION"] = "ap-south-1";
        Assert.Equal("ap-south-1", Resolve().Region);
        _environment["AWS_REGION"] = "sa-east-1";
        Assert.Equal("sa-east-1", Resolve().Region);
        Assert.Equal("us-west-2", Resolve(region: "us-west-2").Region);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private AwsConnection Resolve(string? profile = null, string? region = null, string? endpoint = null) =>
        AwsConnection.Resolve(
            new CliHost { Out = TextWriter.Null, Error = TextWriter.Null, Environment = name => _environment.GetValueOrDefault(name) },
            new ConnectionRequest(profile, region, endpoint));
}
