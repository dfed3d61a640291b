using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AmiVault.Accounts;
using AmiVault.Client;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.S3;
using Amazon.S3.Model;

namespace AmiVault.Tests.Upgrade;

/// <summary>
/// Data folders written by past releases (scripts/make-upgrade-data.sh, packed next to this file) served by today's
/// build: every image, snapshot, tag, block, object, upload, task and setting the release wrote is still there, byte
/// for byte, and the stored archive still restores. A change to an on-disk format ships a migration that keeps this green.
/// </summary>
public sealed class UpgradeTests
{
    public static TheoryData<string> Releases => ["release-2026-12-03"];

    [Theory]
    [MemberData(nameof(Releases))]
    public async Task A_data_folder_of_a_past_release_is_served_unchanged(string release)
    {
        var facts = Facts.Load(release);
        var dataDir = Unpack(release);
        try
        {
            await using var server = await TestServer.StartAsync("us-east-1", o =>
            {
                o.DataDir = dataDir;
                o.Accounts = [];
            });
            var account = Assert.Single(server.Server.Accounts.All);
            Assert.True(server.Server.GeneratedAccount);
            Assert.Equal(facts.AccountId, account.Id);

            using var ec2 = server.Ec2(account);
            await AssertImagesAsync(ec2, facts);
            await AssertSnapshotsAsync(ec2, facts);
            await AssertBlocksAsync(server, account, ec2, facts);
            await AssertObjectsAsync(server, account, facts);
            Assert.True((await ec2.GetEbsEncryptionByDefaultAsync(new GetEbsEncryptionByDefaultRequest())).EbsEncryptionByDefault);

            var task = Assert.Single((await ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { ImageIds = [facts.ImageId] })).StoreImageTaskResults);
            Assert.Equal("Completed", task.StoreTaskState);
            Assert.Equal(100, task.ProgressPercentage);
            Assert.Equal("upgrade-images", task.Bucket);
            Assert.Equal(facts.ImageId + ".bin", task.S3objectKey);

            await AssertRestoresAsync(server, account, ec2, facts);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static async Task AssertImagesAsync(AmazonEC2Client ec2, Facts facts)
    {
        var images = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images.ToDictionary(i => i.ImageId);
        Assert.Equal(new[] { facts.ImageId, facts.RestoredImageId }.Order(StringComparer.Ordinal), images.Keys.Order(StringComparer.Ordinal));

        var image = images[facts.ImageId];
        Assert.Equal("upgrade-fixture", image.Name);
        Assert.Equal("upgrade fixture image", image.Description);
        Assert.Equal("available", image.State.Value);
        Assert.Equal(facts.AccountId, image.OwnerId);
        Assert.Equal("x86_64", image.Architecture.Value);
        Assert.Equal("hvm", image.VirtualizationType.Value);
        Assert.Equal("uefi", image.BootMode.Value);
        Assert.True(image.EnaSupport);
        Assert.Equal("/dev/xvda", image.RootDeviceName);
        Assert.Equal(
            [("/dev/xvda", facts.SnapshotA, 1), ("/dev/xvdb", facts.SnapshotB, 2)],
            image.BlockDeviceMappings.OrderBy(m => m.DeviceName, StringComparer.Ordinal).Select(m => (m.DeviceName, m.Ebs.SnapshotId, m.Ebs.VolumeSize ?? 0)));
        Assert.Equal([("Release", "2026 12"), ("Team", "platform")], Tags(image.Tags));

        var restored = images[facts.RestoredImageId];
        Assert.Equal("upgrade-fixture-restored", restored.Name);
        Assert.Equal("available", restored.State.Value);
        Assert.Equal(facts.ImageId, restored.SourceImageId);
        Assert.Equal("us-east-1", restored.SourceImageRegion);
        Assert.Equal([("Release", "2026 12"), ("Team", "platform")], Tags(restored.Tags));
        Assert.Equal(2, restored.BlockDeviceMappings.Count);
    }

    private static async Task AssertSnapshotsAsync(AmazonEC2Client ec2, Facts facts)
    {
        var snapshots = (await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [facts.SnapshotA, facts.SnapshotB] })).Snapshots.ToDictionary(s => s.SnapshotId);
        var a = snapshots[facts.SnapshotA];
        Assert.Equal("completed", a.State.Value);
        Assert.Equal(1, a.VolumeSize);
        Assert.Equal("upgrade fixture A", a.Description);
        Assert.False(a.Encrypted);
        Assert.Equal([("Name", "root"), ("Role", "boot")], Tags(a.Tags));
        var b = snapshots[facts.SnapshotB];
        Assert.Equal("completed", b.State.Value);
        Assert.Equal(2, b.VolumeSize);
        Assert.Equal("upgrade fixture B", b.Description);
        Assert.Equal([("Name", "data")], Tags(b.Tags));

        var tagged = (await ec2.DescribeTagsAsync(new DescribeTagsRequest
        {
            Filters = [new Amazon.EC2.Model.Filter("resource-id", [facts.ImageId, facts.SnapshotA, facts.SnapshotB])],
        })).Tags;
        Assert.Equal(5, tagged.Count);
        Assert.Contains(tagged, t => t.ResourceId == facts.SnapshotA && t.ResourceType.Value == "snapshot" && t.Key == "Role" && t.Value == "boot");
        Assert.Contains(tagged, t => t.ResourceId == facts.ImageId && t.ResourceType.Value == "image" && t.Key == "Team" && t.Value == "platform");
    }

    /// <summary>GetSnapshotBlock, through the EBS direct API, answers the bytes the release was given.</summary>
    private static async Task AssertBlocksAsync(TestServer server, Account account, AmazonEC2Client ec2, Facts facts)
    {
        await AssertSnapshotBlocksAsync(server, account, facts.SnapshotA, ExpectedA);
        await AssertSnapshotBlocksAsync(server, account, facts.SnapshotB, ExpectedB);
        var restored = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [facts.RestoredImageId] })).Images.Single()
            .BlockDeviceMappings.ToDictionary(m => m.DeviceName, m => m.Ebs.SnapshotId);
        await AssertSnapshotBlocksAsync(server, account, restored["/dev/xvda"], ExpectedA);
        await AssertSnapshotBlocksAsync(server, account, restored["/dev/xvdb"], ExpectedB);
    }

    private static async Task AssertObjectsAsync(TestServer server, Account account, Facts facts)
    {
        using var s3 = server.S3(account);
        using (var stored = await s3.GetObjectAsync("upgrade-images", facts.ImageId + ".bin"))
        {
            var bytes = await ReadAllAsync(stored.ResponseStream);
            Assert.Equal(facts.StoredObjectSize, bytes.Length);
            Assert.Equal(facts.StoredObjectSha256, Convert.ToBase64String(SHA256.HashData(bytes)));
            Assert.Equal("upgrade-fixture", stored.Metadata["x-amz-meta-ami-name"]);
            Assert.Equal(facts.AccountId, stored.Metadata["x-amz-meta-ami-owner-account"]);
        }

        using (var sse = await s3.GetObjectAsync("upgrade-images", "notes/sse.bin"))
        {
            Assert.Equal(ServerSideEncryptionMethod.AES256, sse.ServerSideEncryptionMethod);
            Assert.Equal(SseObject(), await ReadAllAsync(sse.ResponseStream));
        }

        using (var readme = await s3.GetObjectAsync("upgrade-encrypted", "docs/readme.txt"))
        {
            Assert.Equal(ServerSideEncryptionMethod.AES256, readme.ServerSideEncryptionMethod);
            Assert.Equal("text/plain", readme.Headers.ContentType);
            Assert.Equal("upgrade-test", readme.Metadata["x-amz-meta-purpose"]);
            Assert.Equal("kept encrypted by the bucket default\n", Encoding.UTF8.GetString(await ReadAllAsync(readme.ResponseStream)));
        }

        var tagging = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = "upgrade-encrypted", Key = "docs/readme.txt" });
        Assert.Equal([("kind", "doc")], tagging.Tagging.Select(t => (t.Key, t.Value)));
        var encryption = await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "upgrade-encrypted" });
        Assert.Equal(ServerSideEncryptionMethod.AES256, Assert.Single(encryption.ServerSideEncryptionConfiguration.ServerSideEncryptionRules).ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm);
        Assert.Equal(
            ["docs/readme.txt"],
            (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "upgrade-encrypted" })).S3Objects.Select(o => o.Key));
        Assert.Equal(
            [facts.ImageId + ".bin", "notes/sse.bin"],
            (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "upgrade-images" })).S3Objects.Select(o => o.Key).Order(StringComparer.Ordinal));

        // The upload the release left unfinished can still be finished.
        var upload = Assert.Single((await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = "upgrade-images" })).MultipartUploads);
        Assert.Equal(facts.UnfinishedUploadId, upload.UploadId);
        Assert.Equal("unfinished/part.bin", upload.Key);
        var part = Assert.Single((await s3.ListPartsAsync(new ListPartsRequest { BucketName = "upgrade-images", Key = upload.Key, UploadId = upload.UploadId })).Parts);
        Assert.Equal(44, part.Size);
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = "upgrade-images",
            Key = upload.Key,
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, part.ETag)],
        });
        using var finished = await s3.GetObjectAsync("upgrade-images", upload.Key);
        Assert.Equal("the first part of an upload nobody finished\n", Encoding.UTF8.GetString(await ReadAllAsync(finished.ResponseStream)));
    }

    /// <summary>The stored archive restores again, into snapshots encrypted by the account's stored setting.</summary>
    private static async Task AssertRestoresAsync(TestServer server, Account account, AmazonEC2Client ec2, Facts facts)
    {
        var restoredId = (await ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest
        {
            Bucket = "upgrade-images",
            ObjectKey = facts.ImageId + ".bin",
            Name = "upgrade-check",
        })).ImageId;
        var restored = await ImageFixtures.WaitForImageAsync(ec2, restoredId);
        Assert.True(restored.State == ImageState.Available, $"The restore ended {restored.State}: {restored.StateReason?.Message}");
        var mappings = restored.BlockDeviceMappings.ToDictionary(m => m.DeviceName, m => m.Ebs.SnapshotId);
        var snapshots = (await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [.. mappings.Values] })).Snapshots;
        Assert.All(snapshots, s => Assert.True(s.Encrypted));
        await AssertSnapshotBlocksAsync(server, account, mappings["/dev/xvda"], ExpectedA);
        await AssertSnapshotBlocksAsync(server, account, mappings["/dev/xvdb"], ExpectedB);
    }

    private static readonly (int Index, byte[] Data)[] ExpectedA =
    [
        (0, Block("shared block 0")), (1, Block("snapshot A block 1")), (3, new byte[BlockSize]), (7, Block("snapshot A block 7")),
    ];

    private static readonly (int Index, byte[] Data)[] ExpectedB = [(0, Block("shared block 0")), (4000, Block("snapshot B block 4000"))];

    private const int BlockSize = 512 * 1024;

    private static async Task AssertSnapshotBlocksAsync(TestServer server, Account account, string snapshotId, (int Index, byte[] Data)[] expected)
    {
        using var ebs = server.Ebs(account);
        var listed = new List<ListedBlock>();
        await foreach (var block in ebs.ListSnapshotBlocksAsync(snapshotId))
        {
            listed.Add(block);
        }

        // Block 3 of A was written as zeros: it is listed (written) and reads as zeros.
        Assert.Equal(expected.Select(e => e.Index), listed.Select(b => b.BlockIndex));
        var data = new byte[BlockSize];
        foreach (var ((index, bytes), token) in expected.Zip(listed))
        {
            data.AsSpan().Fill(0xEE);
            await ebs.GetSnapshotBlockAsync(snapshotId, index, token.BlockToken, data);
            Assert.True(bytes.AsSpan().SequenceEqual(data), $"block {index} of {snapshotId} differs");
        }
    }

    /// <summary>What scripts/make-upgrade-data.sh writes as a block: a line naming it, then zeros.</summary>
    private static byte[] Block(string label)
    {
        var block = new byte[BlockSize];
        Encoding.UTF8.GetBytes($"amivault upgrade fixture: {label}\n", block);
        return block;
    }

    /// <summary>What the script puts as notes/sse.bin: SHA-256("sse 0") … SHA-256("sse 511").</summary>
    private static byte[] SseObject() =>
        [.. Enumerable.Range(0, 512).SelectMany(i => SHA256.HashData(Encoding.ASCII.GetBytes($"sse {i}")))];

    private static List<(string, string)> Tags(IEnumerable<Amazon.EC2.Model.Tag> tags) =>
        [.. tags.Select(t => (t.Key, t.Value)).OrderBy(t => t.Key, StringComparer.Ordinal)];

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>A fresh copy of the release's folder (the committed one is never served: a server writes to its folder).</summary>
    private static string Unpack(string release)
    {
        var target = Path.Combine(Path.GetTempPath(), "amivault-upgrade-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Upgrade", release + ".tar.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        TarFile.ExtractToDirectory(gzip, target, overwriteFiles: false);
        return target;
    }

    private sealed record Facts(
        string Commit,
        string AccountId,
        string ImageId,
        string RestoredImageId,
        string SnapshotA,
        string SnapshotB,
        string StoredObjectSha256,
        long StoredObjectSize,
        string UnfinishedUploadId)
    {
        public static Facts Load(string release) =>
            JsonSerializer.Deserialize<Facts>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Upgrade", release + ".json")))
            ?? throw new InvalidDataException($"{release}.json is empty.");
    }
}
