using AmiVault.Accounts;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.Iam;

/// <summary>IAM users made the way an administrator makes them: the AWS CLI with the account's root keys.</summary>
internal static class IamUsers
{
    /// <summary>Creates <paramref name="name"/> with <paramref name="policy"/> inline and one access key; returns its keys as an Account.</summary>
    public static async Task<Account> CreateAsync(TestServer server, string name, string policy, Account? owner = null)
    {
        owner ??= TestServer.Alice;
        (await AwsCli.RunAsync(server, owner, null, "iam", "create-user", "--user-name", name)).EnsureSuccess();
        await PutPolicyAsync(server, name, policy, owner);
        var key = (await AwsCli.RunAsync(server, owner, null, "iam", "create-access-key", "--user-name", name)).EnsureSuccess().Json.GetProperty("AccessKey");
        return new Account(owner.Id, key.GetProperty("AccessKeyId").GetString()!, key.GetProperty("SecretAccessKey").GetString()!);
    }

    public static async Task PutPolicyAsync(TestServer server, string user, string policy, Account? owner = null) =>
        (await AwsCli.RunAsync(server, owner ?? TestServer.Alice, null, "iam", "put-user-policy", "--user-name", user, "--policy-name", "main", "--policy-document", policy)).EnsureSuccess();

    /// <summary>The seed policy with some of its actions left out.</summary>
    public static string SeedWithout(params string[] actions) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[{{string.Join(',', SeedActions.Except(actions).Select(a => $"\"{a}\""))}}],"Resource":"*"}]}""";

    public static readonly string[] SeedActions =
    [
        "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:AbortMultipartUpload",
        "ebs:CompleteSnapshot", "ebs:GetSnapshotBlock", "ebs:ListChangedBlocks", "ebs:ListSnapshotBlocks",
        "ebs:PutSnapshotBlock", "ebs:StartSnapshot", "ec2:CreateStoreImageTask", "ec2:DescribeStoreImageTasks",
        "ec2:CreateRestoreImageTask", "ec2:GetEbsEncryptionByDefault", "ec2:DescribeTags",
    ];
}
