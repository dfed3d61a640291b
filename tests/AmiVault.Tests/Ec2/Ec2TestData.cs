using System.Net;
using AmiVault.Accounts;
using AmiVault.Tests.Support;
using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AmiVault.Tests.Ec2;

/// <summary>Snapshots put straight into a test server's catalog, images registered through the SDK, error assertions.</summary>
internal static class Ec2TestData
{
    public static async Task<string> SnapshotAsync(
        TestServer server,
        Account? owner = null,
        long sizeGib = 8,
        string status = "completed",
        bool encrypted = false,
        string? description = null,
        IReadOnlyList<KeyValuePair<string, string>>? tags = null,
        DateTimeOffset? startTime = null,
        int progress = 100)
    {
        var id = AmiVault.Catalog.ResourceIds.New(AmiVault.Catalog.ResourceIds.Snapshot);
        var start = startTime ?? DateTimeOffset.UtcNow;
        await server.Server.Services.GetRequiredService<AmiVault.Catalog.ISnapshotCatalog>().InsertAsync(new AmiVault.Catalog.SnapshotRecord
        {
            SnapshotId = id,
            OwnerId = (owner ?? TestServer.Alice).Id,
            VolumeSizeGib = sizeGib,
            Status = status,
            Progress = status == "completed" ? 100 : progress,
            Encrypted = encrypted,
            KmsKeyId = encrypted ? "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000001" : null,
            Description = description,
            StartTime = start,
            CompletionTime = status == "completed" ? start.AddMinutes(1) : null,
        }, tags ?? []);
        return id;
    }

    public static async Task<string> RegisterAsync(AmazonEC2Client ec2, string name, string snapshotId, Action<RegisterImageRequest>? configure = null)
    {
        var request = new RegisterImageRequest
        {
            Name = name,
            RootDeviceName = "/dev/xvda",
            BlockDeviceMappings = [new BlockDeviceMapping { DeviceName = "/dev/xvda", Ebs = new EbsBlockDevice { SnapshotId = snapshotId } }],
        };
        configure?.Invoke(request);
        return (await ec2.RegisterImageAsync(request)).ImageId;
    }

    public static async Task<Image> ImageAsync(AmazonEC2Client ec2, string imageId) =>
        Assert.Single((await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] })).Images);

    public static async Task<List<Image>> ImagesAsync(AmazonEC2Client ec2, params Filter[] filters) =>
        (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Filters = filters.Length > 0 ? [.. filters] : null })).Images ?? [];

    public static async Task<List<Snapshot>> SnapshotsAsync(AmazonEC2Client ec2, params Filter[] filters) =>
        (await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { Filters = filters.Length > 0 ? [.. filters] : null })).Snapshots ?? [];

    public static Filter Filter(string name, params string[] values) => new(name, [.. values]);

    /// <summary>Asserts the call fails with EC2 error <paramref name="code"/> (HTTP 400 unless given).</summary>
    public static async Task<AmazonEC2Exception> FailsAsync(string code, Func<Task> call, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var e = await Assert.ThrowsAsync<AmazonEC2Exception>(call);
        Assert.Equal(code, e.ErrorCode);
        Assert.Equal(status, e.StatusCode);
        return e;
    }
}
