using AmiVault.Tests.Support;

namespace AmiVault.Tests.Iam;

/// <summary>
/// Deny statements, NotAction, resource ARNs scoped to one bucket or one image, and a condition on aws:SourceIp,
/// each put as a user's policy with `aws iam` and judged on a real AWS CLI request of that user.
/// </summary>
public sealed class PolicyEnforcementCliTests(PolicyEnforcementCliTests.Server fixture) : IClassFixture<PolicyEnforcementCliTests.Server>
{
    private const string AllowDescribe = """{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}""";

    public static TheoryData<string, string, string[], string?> Cases => new()
    {
        { "deny-wins", AllowDescribe + """,{"Effect":"Deny","Action":"ec2:DescribeImages","Resource":"*"}""", ["ec2", "describe-images"], "UnauthorizedOperation|with an explicit deny" },
        { "deny-spares-others", AllowDescribe + """,{"Effect":"Deny","Action":"ec2:DescribeImages","Resource":"*"}""", ["ec2", "describe-snapshots", "--owner-ids", "self"], null },
        { "notaction-allows", """{"Effect":"Allow","NotAction":"ec2:DeregisterImage","Resource":"*"}""", ["ec2", "describe-images"], null },
        { "notaction-excludes", """{"Effect":"Allow","NotAction":"ec2:DeregisterImage","Resource":"*"}""", ["ec2", "deregister-image", "--image-id", "ami-0123456789abcdef0"], "UnauthorizedOperation|ec2:DeregisterImage on resource: arn:aws:ec2:us-east-1::image/ami-0123456789abcdef0" },
        { "bucket-scoped-in", """{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::scoped-a/*"}""", ["s3api", "get-object", "--bucket", "scoped-a", "--key", "missing", "/dev/null"], "NoSuchKey|" },
        { "bucket-scoped-out", """{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::scoped-a/*"}""", ["s3api", "get-object", "--bucket", "scoped-b", "--key", "missing", "/dev/null"], "AccessDenied|s3:GetObject on resource: arn:aws:s3:::scoped-b/missing" },
        { "image-scoped-in", """{"Effect":"Allow","Action":"ec2:CreateStoreImageTask","Resource":"arn:aws:ec2:*::image/ami-0000000000000000a"}""", ["ec2", "create-store-image-task", "--image-id", "ami-0000000000000000a", "--bucket", "scoped-a"], "InvalidAMIID.NotFound|" },
        { "image-scoped-out", """{"Effect":"Allow","Action":"ec2:CreateStoreImageTask","Resource":"arn:aws:ec2:*::image/ami-0000000000000000a"}""", ["ec2", "create-store-image-task", "--image-id", "ami-0000000000000000b", "--bucket", "scoped-a"], "UnauthorizedOperation|image/ami-0000000000000000b" },
        { "source-ip-in", """{"Effect":"Allow","Action":"ec2:DescribeImages","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}""", ["ec2", "describe-images"], null },
        { "source-ip-out", """{"Effect":"Allow","Action":"ec2:DescribeImages","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}""", ["ec2", "describe-images"], "UnauthorizedOperation|because no identity-based policy allows the ec2:DescribeImages action" },
        { "deny-outside-ip", AllowDescribe + """,{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}""", ["ec2", "describe-images"], "UnauthorizedOperation|with an explicit deny" },
    };

    /// <param name="expected">null for success, else "CODE|text the message holds".</param>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_users_policy_decides_its_request(string name, string statements, string[] command, string? expected)
    {
        var user = await IamUsers.CreateAsync(fixture.Instance, name, $$"""{"Version":"2012-10-17","Statement":[{{statements}}]}""");
        var result = await AwsCli.RunAsync(fixture.Instance, user, null, command);
        if (expected is null)
        {
            result.EnsureSuccess();
            return;
        }

        var (code, text) = (expected.Split('|')[0], expected.Split('|')[1]);
        Assert.True(result.ExitCode != 0, $"aws {string.Join(' ', command)} succeeded; expected {code}.");
        Assert.Equal(code, result.ErrorCode);
        Assert.Contains(text, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_policy_the_server_cannot_evaluate_is_refused_when_it_is_put()
    {
        (await AwsCli.RunAsync(fixture.Instance, "iam", "create-user", "--user-name", "refused")).EnsureSuccess();
        var put = await AwsCli.RunAsync(fixture.Instance, "iam", "put-user-policy", "--user-name", "refused", "--policy-name", "p", "--policy-document",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:CalledVia":"x"}}}]}""");
        Assert.Equal("MalformedPolicyDocument", put.ErrorCode);
        Assert.Contains("aws:CalledVia", put.Stderr, StringComparison.Ordinal);

        var missing = await AwsCli.RunAsync(fixture.Instance, "iam", "get-user-policy", "--user-name", "refused", "--policy-name", "p");
        Assert.Equal("NoSuchEntity", missing.ErrorCode);
        var twice = await AwsCli.RunAsync(fixture.Instance, "iam", "create-user", "--user-name", "REFUSED");
        Assert.Equal("EntityAlreadyExists", twice.ErrorCode);
    }

    public sealed class Server : IAsyncLifetime
    {
        internal TestServer Instance { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Instance = await TestServer.StartAsync();
            await Tasks.ImageFixtures.BucketAsync(Instance, "scoped-a");
            await Tasks.ImageFixtures.BucketAsync(Instance, "scoped-b");
        }

        public Task DisposeAsync() => Instance.DisposeAsync().AsTask();
    }
}
