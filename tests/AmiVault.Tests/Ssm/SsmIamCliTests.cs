using AmiVault.Tests.Iam;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.Ssm;

/// <summary>
/// `aws ssm` signed by an IAM user whose policy allows some ssm: actions on some parameters: what it allows works, the
/// rest is SSM's AccessDeniedException (its JSON error, which the CLI reads the code from) with AWS's message, and
/// nothing changes.
/// </summary>
public sealed class SsmIamCliTests
{
    [Fact]
    public async Task An_IAM_user_does_only_the_ssm_actions_its_policy_allows_on_the_parameters_it_names()
    {
        await using var server = await TestServer.StartAsync();
        var user = await IamUsers.CreateAsync(server, "aliaser", """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["ssm:PutParameter","ssm:GetParameter","ssm:GetParameterHistory"],"Resource":"arn:aws:ssm:us-east-1:111111111111:parameter/golden/*"},
              {"Effect":"Allow","Action":"ssm:DescribeParameters","Resource":"*"}]}
            """);
        Task<AwsCliResult> Run(params string[] args) => AwsCli.RunAsync(server, user, null, args);

        (await Run("ssm", "put-parameter", "--name", "/golden/web", "--type", "String", "--value", "v1")).EnsureSuccess();
        Assert.Equal("v1", (await Run("ssm", "get-parameter", "--name", "/golden/web")).EnsureSuccess().Json.GetProperty("Parameter").GetProperty("Value").GetString());
        Assert.Single((await Run("ssm", "get-parameter-history", "--name", "/golden/web")).EnsureSuccess().Json.GetProperty("Parameters").EnumerateArray());
        Assert.Single((await Run("ssm", "describe-parameters")).EnsureSuccess().Json.GetProperty("Parameters").EnumerateArray());

        // Actions the policy leaves out, and parameters outside /golden/: AccessDeniedException with AWS's message.
        var delete = await Run("ssm", "delete-parameter", "--name", "/golden/web");
        Assert.Equal("AccessDeniedException", delete.ErrorCode);
        Assert.Contains("User: arn:aws:iam::111111111111:user/aliaser is not authorized to perform: ssm:DeleteParameter on resource: arn:aws:ssm:us-east-1:111111111111:parameter/golden/web because no identity-based policy allows the ssm:DeleteParameter action", delete.Stderr, StringComparison.Ordinal);
        Assert.Equal("AccessDeniedException", (await Run("ssm", "label-parameter-version", "--name", "/golden/web", "--labels", "prod")).ErrorCode);
        Assert.Equal("AccessDeniedException", (await Run("ssm", "get-parameters-by-path", "--path", "/golden")).ErrorCode);
        var elsewhere = await Run("ssm", "put-parameter", "--name", "/prod/web", "--type", "String", "--value", "x");
        Assert.Equal("AccessDeniedException", elsewhere.ErrorCode);
        Assert.Contains("ssm:PutParameter on resource: arn:aws:ssm:us-east-1:111111111111:parameter/prod/web", elsewhere.Stderr, StringComparison.Ordinal);
        Assert.Equal("AccessDeniedException", (await Run("ssm", "get-parameters", "--names", "/golden/web", "/prod/web")).ErrorCode);

        // Nothing the refusals touched changed: the account's root still sees one parameter, one version, no label.
        var history = (await AwsCli.RunAsync(server, "ssm", "get-parameter-history", "--name", "/golden/web")).EnsureSuccess().Json.GetProperty("Parameters");
        Assert.Empty(Assert.Single(history.EnumerateArray()).GetProperty("Labels").EnumerateArray());
        Assert.Equal("ParameterNotFound", (await AwsCli.RunAsync(server, "ssm", "get-parameter", "--name", "/prod/web")).ErrorCode);
    }
}
