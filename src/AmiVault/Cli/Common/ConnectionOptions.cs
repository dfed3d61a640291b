using System.CommandLine;

namespace AmiVault.Cli.Common;

/// <summary>
/// The AWS CLI's connection options, `--profile`, `--region` and `--endpoint-url`, or one side's of a command that
/// talks to two endpoints (`--source-profile`, `--dest-region`…). Resolved by <see cref="AwsConnection.Resolve"/>.
/// </summary>
internal sealed class ConnectionOptions
{
    public ConnectionOptions(string prefix = "", string? side = null)
    {
        var of = side is null ? "" : $" of the {side}";
        Profile = new Option<string?>($"--{prefix}profile") { Description = $"Profile{of} from the AWS config and credentials files (default: AWS_PROFILE, else 'default')." };
        Region = new Option<string?>($"--{prefix}region") { Description = $"Region{of} (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region)." };
        EndpointUrl = new Option<string?>($"--{prefix}endpoint-url")
        {
            Description = $"Endpoint URL{of}, e.g. http://127.0.0.1:8750 for a local AmiVault (default: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS).",
        };
        EndpointUrl.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            if (value is not null && !AwsConnection.IsEndpointUrl(value))
            {
                result.AddError($"{EndpointUrl.Name} '{value}' is not an http:// or https:// URL.");
            }
        });
    }

    public Option<string?> Profile { get; }

    public Option<string?> Region { get; }

    public Option<string?> EndpointUrl { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(Profile);
        command.Options.Add(Region);
        command.Options.Add(EndpointUrl);
    }

    public ConnectionRequest Read(ParseResult parse) => new(parse.GetValue(Profile), parse.GetValue(Region), parse.GetValue(EndpointUrl));
}
