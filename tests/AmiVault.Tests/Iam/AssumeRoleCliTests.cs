using AmiVault.Accounts;
using AmiVault.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Iam;

/// <summary>
/// A role assumed through `aws sts assume-role`: its credentials carry the role's permissions and a session token,
/// only principals its trust policy names may assume it, and the credentials stop working when they expire.
/// </summary>
public sealed class AssumeRoleCliTests : IAsyncLifetime
{
    private readonly ShiftedTime _clock = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync("us-east-1", null, s => s.AddSingleton<TimeProvider>(_clock));

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Fact]
    public async Task A_role_session_acts_with_the_roles_policy_until_it_expires()
    {
        var account = TestServer.Alice.Id;
        var roleArn = $"arn:aws:iam::{account}:role/reader";
        (await AwsCli.RunAsync(_server, "iam", "create-role", "--role-name", "reader", "--assume-role-policy-document",
            $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:user/dev"},"Action":"sts:AssumeRole"}]}""")).EnsureSuccess();
        (await AwsCli.RunAsync(_server, "iam", "create-policy", "--policy-name", "describe", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeImages","Resource":"*"}]}""")).EnsureSuccess();
        (await AwsCli.RunAsync(_server, "iam", "attach-role-policy", "--role-name", "reader", "--policy-arn", $"arn:aws:iam::{account}:policy/describe")).EnsureSuccess();
        var dev = await IamUsers.CreateAsync(_server, "dev", $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{{roleArn}}"}]}""");
        var other = await IamUsers.CreateAsync(_server, "other", $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}""");

        Fails("UnauthorizedOperation", await AwsCli.RunAsync(_server, dev, null, "ec2", "describe-images"));
        Fails("AccessDenied", await AwsCli.RunAsync(_server, other, null, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "ss"));
        Fails("AccessDenied", await AwsCli.RunAsync(_server, TestServer.Bob, null, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "ss"));

        // Assumed with the server's clock 500 s behind: the shortest session (900 s) then ends 400 s from now, time
        // enough for the calls below on a loaded machine; its end is then reached by moving the clock, not by waiting.
        _clock.Offset = TimeSpan.FromSeconds(-500);
        var credentials = (await AwsCli.RunAsync(_server, dev, null, "sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "build-42", "--duration-seconds", "900"))
            .EnsureSuccess().Json.GetProperty("Credentials");
        _clock.Offset = TimeSpan.Zero;
        var session = new Account(account, credentials.GetProperty("AccessKeyId").GetString()!, credentials.GetProperty("SecretAccessKey").GetString()!);
        var token = new Dictionary<string, string> { ["AWS_SESSION_TOKEN"] = credentials.GetProperty("SessionToken").GetString()! };
        Assert.StartsWith("ASIA", session.AccessKeyId, StringComparison.Ordinal);

        var identity = (await AwsCli.RunAsync(_server, session, null, token, "sts", "get-caller-identity")).EnsureSuccess().Json;
        Assert.Equal($"arn:aws:sts::{account}:assumed-role/reader/build-42", identity.GetProperty("Arn").GetString());
        (await AwsCli.RunAsync(_server, session, null, token, "ec2", "describe-images")).EnsureSuccess();
        var deregister = await AwsCli.RunAsync(_server, session, null, token, "ec2", "deregister-image", "--image-id", "ami-0123456789abcdef0");
        Assert.Equal("UnauthorizedOperation", deregister.ErrorCode);
        Assert.Contains($"User: arn:aws:sts::{account}:assumed-role/reader/build-42 is not authorized to perform: ec2:DeregisterImage", deregister.Stderr, StringComparison.Ordinal);

        // The keys alone, without the session token, are not credentials.
        Fails("AuthFailure", await AwsCli.RunAsync(_server, session, null, "ec2", "describe-images"));

        var expiration = DateTimeOffset.Parse(credentials.GetProperty("Expiration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var left = expiration - DateTimeOffset.UtcNow;
        Assert.True(left < TimeSpan.FromSeconds(401), $"The session lasts {left} more, not about 400 s.");

        // 450 s later by the server's clock: past the session's end, yet within SigV4's 15-minute clock skew.
        _clock.Offset = TimeSpan.FromSeconds(450);
        var expired = await AwsCli.RunAsync(_server, session, null, token, "ec2", "describe-images");
        Fails("RequestExpired", expired);
        Assert.Contains("expired", expired.Stderr, StringComparison.Ordinal);
        Fails("ExpiredToken", await AwsCli.RunAsync(_server, session, null, token, "sts", "get-caller-identity"));
    }

    private static void Fails(string code, AwsCliResult result) =>
        Assert.True(result.ErrorCode == code, $"Expected {code}; aws exited {result.ExitCode}: {result.Stderr}{result.Stdout}");

    /// <summary>The real clock, moved by <see cref="Offset"/>.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }
}
