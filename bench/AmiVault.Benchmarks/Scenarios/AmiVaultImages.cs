using AmiVault.Benchmarks.Suite;
using AmiVault.Client;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace AmiVault.Benchmarks.Scenarios;

/// <summary>
/// Getting an image into an AmiVault server and through store and restore, the way users do it: blocks through the
/// EBS direct API, RegisterImage, CreateStoreImageTask, CreateRestoreImageTask, each waited for by polling.
/// </summary>
internal static class AmiVaultImages
{
    public const int BlockSize = BlockApiScenario.BlockSize;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>The indexes of the blocks that hold data (what a coldsnap-like client sends), in order.</summary>
    public static int[] DataBlocks(ImageFile image)
    {
        var blocks = new SortedSet<int>();
        foreach (var (offset, length) in image.Image.DataRanges())
        {
            for (var block = offset / BlockSize; block <= (offset + length - 1) / BlockSize; block++)
            {
                blocks.Add((int)block);
            }
        }

        return [.. blocks];
    }

    /// <summary>StartSnapshot, the data blocks from the image file by <paramref name="clients"/> concurrent PutSnapshotBlock calls, CompleteSnapshot.</summary>
    public static async Task<string> UploadSnapshotAsync(EbsClient ebs, ImageFile image, int[] blocks, int clients, CancellationToken cancellationToken)
    {
        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = (image.Image.Size + (1L << 30) - 1) >> 30, Description = "amivault benchmark" }, cancellationToken);
        using (var file = File.OpenHandle(image.Path))
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = clients, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(blocks, options, async (block, ct) =>
            {
                var data = new byte[BlockSize];
                await RandomAccess.ReadAsync(file, data, (long)block * BlockSize, ct);
                await ebs.PutSnapshotBlockAsync(snapshot.SnapshotId, block, data, cancellationToken: ct);
            });
        }

        await ebs.CompleteSnapshotAsync(snapshot.SnapshotId, blocks.Length, cancellationToken: cancellationToken);
        return snapshot.SnapshotId;
    }

    public static async Task WaitForSnapshotAsync(AmazonEC2Client ec2, string snapshotId, CancellationToken cancellationToken)
    {
        while ((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [snapshotId] }, cancellationToken)).Snapshots.Single().State.Value != "completed")
        {
            await Task.Delay(Poll, cancellationToken);
        }
    }

    /// <summary>Waits for the snapshot to be completed, then registers an image of it.</summary>
    public static async Task<string> RegisterAsync(AmazonEC2Client ec2, string snapshotId, CancellationToken cancellationToken)
    {
        await WaitForSnapshotAsync(ec2, snapshotId, cancellationToken);
        return (await ec2.RegisterImageAsync(new RegisterImageRequest
        {
            Name = "benchmark " + snapshotId,
            RootDeviceName = "/dev/xvda",
            VirtualizationType = "hvm",
            Architecture = ArchitectureValues.X86_64,
            EnaSupport = true,
            BlockDeviceMappings = [new BlockDeviceMapping { DeviceName = "/dev/xvda", Ebs = new EbsBlockDevice { SnapshotId = snapshotId } }],
        }, cancellationToken)).ImageId;
    }

    /// <summary>CreateStoreImageTask and wait until it is done; returns the object key.</summary>
    public static async Task<string> StoreAsync(AmazonEC2Client ec2, string imageId, string bucket, CancellationToken cancellationToken)
    {
        var key = (await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = bucket }, cancellationToken)).ObjectKey;
        while (true)
        {
            var task = (await ec2.DescribeStoreImageTasksAsync(new DescribeStoreImageTasksRequest { ImageIds = [imageId] }, cancellationToken)).StoreImageTaskResults.Single();
            switch (task.StoreTaskState)
            {
                case "Completed":
                    return key;
                case "Failed":
                    throw new InvalidOperationException($"Store of {imageId} failed: {task.StoreTaskFailureReason}");
                default:
                    await Task.Delay(Poll, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>CreateRestoreImageTask and wait until the new image is available; returns its id.</summary>
    public static async Task<string> RestoreAsync(AmazonEC2Client ec2, string bucket, string key, CancellationToken cancellationToken)
    {
        var imageId = (await ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { Bucket = bucket, ObjectKey = key, Name = "restored " + Guid.NewGuid().ToString("N") }, cancellationToken)).ImageId;
        while (true)
        {
            var image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] }, cancellationToken)).Images.Single();
            switch (image.State.Value)
            {
                case "available":
                    return imageId;
                case "failed":
                    throw new InvalidOperationException($"Restore of {key} failed: {image.StateReason?.Message}");
                default:
                    await Task.Delay(Poll, cancellationToken);
                    break;
            }
        }
    }
}
