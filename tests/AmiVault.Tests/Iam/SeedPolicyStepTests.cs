using System.Security.Cryptography;
using AmiVault.Accounts;
using AmiVault.Blocks;
using AmiVault.Client;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.Iam;

/// <summary>
/// The seed policy's flow step by step, with the real SDKs and our EBS client: with the whole policy every step
/// passes; without any one of its actions, exactly the first step that needs it fails, in its protocol's error
/// format (a store or restore needs, at admission, the EBS and S3 permissions its task will use).
/// </summary>
public sealed class SeedPolicyStepTests(SeedPolicyStepTests.Server fixture) : IClassFixture<SeedPolicyStepTests.Server>
{
    public static TheoryData<string> Actions => [.. IamUsers.SeedActions.Append("none")];

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task Without_one_action_exactly_its_step_fails(string missing)
    {
        var server = fixture.Instance;
        var name = "ci-" + missing.Replace(':', '-');
        var ci = await IamUsers.CreateAsync(server, name, IamUsers.SeedWithout(missing));
        using var ebs = server.Ebs(ci);
        using var ec2 = server.Ec2(ci);
        using var s3 = server.S3(ci);
        using var admin = server.Ec2();
        var block = RandomNumberGenerator.GetBytes(IBlockStore.BlockSize);
        string snapshotId = "", token = "", imageId = "", objectKey = "";
        var bucket = await ImageFixtures.BucketAsync(server, "steps-" + Guid.NewGuid().ToString("N")[..12]);

        (string[] Needs, Func<Task> Run)[] steps =
        [
            (["ebs:StartSnapshot"], async () => snapshotId = (await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId),
            (["ebs:PutSnapshotBlock"], () => ebs.PutSnapshotBlockAsync(snapshotId, 0, block)),
            (["ebs:CompleteSnapshot"], () => ebs.CompleteSnapshotAsync(snapshotId, 1)),
            (["ebs:ListSnapshotBlocks"], async () => token = Assert.Single((await ebs.ListSnapshotBlocksPageAsync(snapshotId)).Items).BlockToken),
            (["ebs:ListChangedBlocks"], () => ebs.ListChangedBlocksPageAsync(snapshotId)),
            (["ebs:GetSnapshotBlock"], () => ebs.GetSnapshotBlockAsync(snapshotId, 0, token, new byte[IBlockStore.BlockSize])),
            ([], async () => imageId = await Ec2.Ec2TestData.RegisterAsync(admin, name, snapshotId, r => r.VirtualizationType = "hvm")),
            (["ec2:GetEbsEncryptionByDefault"], () => ec2.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest())),
            (["ec2:CreateStoreImageTask", "ebs:ListSnapshotBlocks", "ebs:GetSnapshotBlock", "s3:PutObject", "s3:AbortMultipartUpload"], async () => objectKey = (await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket })).ObjectKey),
            (["ec2:DescribeStoreImageTasks"], async () => Assert.Equal("Completed", (await ImageFixtures.WaitForStoreAsync(ec2, imageId)).StoreTaskState)),
            (["ec2:DescribeTags"], () => ec2.DescribeTagsAsync(new DescribeTagsRequest())),
            (["s3:ListBucket"], async () => Assert.Contains(objectKey, (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key))),
            (["s3:GetObject"], async () => (await s3.GetObjectAsync(bucket, objectKey)).Dispose()),
            (["s3:PutObject"], () => s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "note", ContentBody = "hello" })),
            (["s3:AbortMultipartUpload"], async () =>
            {
                var upload = await s3.InitiateMultipartUploadAsync(bucket, "partial");
                await s3.AbortMultipartUploadAsync(bucket, "partial", upload.UploadId);
            }),
            (["s3:DeleteObject"], () => s3.DeleteObjectAsync(bucket, "note")),
            (["ec2:CreateRestoreImageTask", "s3:GetObject", "ebs:StartSnapshot", "ebs:PutSnapshotBlock", "ebs:CompleteSnapshot"], () => ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { Bucket = bucket, ObjectKey = objectKey, Name = name + "-restored" })),
        ];

        foreach (var (needs, run) in steps)
        {
            var failure = await Record.ExceptionAsync(run);
            if (!needs.Contains(missing))
            {
                Assert.True(failure is null, $"The step {string.Join('+', needs)} failed with {missing} missing: {failure}");
                continue;
            }

            var (code, message) = failure switch
            {
                EbsServiceException e => (e.ErrorType, e.ServiceMessage),
                AmazonEC2Exception e => (e.ErrorCode, e.Message),
                AmazonS3Exception e => (e.ErrorCode, e.Message),
                _ => throw new Xunit.Sdk.XunitException($"The step {needs[0]} did not fail as denied: {failure}"),
            };

            // The step's own protocol answers, also when what is missing is a permission its task needs.
            var expected = needs[0].Split(':')[0] switch
            {
                "ebs" => "AccessDeniedException",
                "ec2" => "UnauthorizedOperation",
                _ => "AccessDenied",
            };
            Assert.Equal(expected, code);
            Assert.Contains($"user/{name} is not authorized to perform: {missing}", message, StringComparison.Ordinal);
            return;
        }

        Assert.Equal("none", missing);
    }

    /// <summary>One server for all the cases: each makes its own user, snapshot, image and bucket.</summary>
    public sealed class Server : IAsyncLifetime
    {
        internal TestServer Instance { get; private set; } = null!;

        public async Task InitializeAsync() => Instance = await TestServer.StartAsync();

        public Task DisposeAsync() => Instance.DisposeAsync().AsTask();
    }
}
