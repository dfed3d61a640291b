using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using AmiVault.Archive;
using AmiVault.Cli.Common;
using AmiVault.Configuration;
using AmiVault.Hosting;
using AmiVault.Imaging;
using AmiVault.IO;
using AmiVault.Transfers;
using Amazon.EC2.Model;
using Microsoft.Extensions.Logging;
using AmiVault.ObjectStore;

namespace AmiVault.Cli;

/// <summary>
/// `amivault demo`: the whole cross-partition workflow in a few seconds, on two AmiVault servers started in-process
/// as us-east-2 (aws) and us-gov-east-1 (aws-us-gov), each with its own account. Every step prints the AWS CLI
/// command that does the same against AWS, so the demo teaches the real workflow. Nothing is left running; the
/// temporary folder goes too unless --keep.
/// </summary>
internal static class DemoCommand
{
    private const long MiB = 1L << 20;
    private const long GiB = 1L << 30;

    public static Command Create(CliRunner runner)
    {
        var keep = new Option<bool>("--keep") { Description = "Keep the servers' data, the disk images and the archive (the folder is printed)." };
        var data = new Option<int>("--data-size") { Description = "MiB of data in the generated 1 GiB disk image.", DefaultValueFactory = _ => 64 };
        data.Validators.Add(r => OptionChecks.Between(r, 1, 1024));
        var command = new Command("demo", "Run the whole workflow on two local servers in two partitions: import, register, store, copy, restore, export, compare.")
        {
            keep, data,
        };
        runner.SetAction(command, async context =>
        {
            var folder = Path.Combine(Path.GetTempPath(), "amivault-demo-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            try
            {
                return await RunAsync(context, folder, context.Value(data) * MiB);
            }
            finally
            {
                if (context.Value(keep))
                {
                    context.Note($"Kept {folder}. Start a server again with: amivault serve --data-dir {Path.Combine(folder, "us-east-2")} --region us-east-2 (it prints its keys).");
                }
                else
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string folder, long dataBytes)
    {
        var clock = Stopwatch.StartNew();
        var token = context.CancellationToken;
        await using var east = await StartAsync(folder, "us-east-2", token);
        await using var gov = await StartAsync(folder, "us-gov-east-1", token);
        var eastAws = Connect(context, east, "us-east-2");
        var govAws = Connect(context, gov, "us-gov-east-1");
        context.Note($"""
            Two AmiVault servers, standing in for two AWS partitions, each with its own account and keys:
              us-east-2      (aws)         {east.Endpoint}
              us-gov-east-1  (aws-us-gov)  {gov.Endpoint}
            Each step shows the AWS CLI command that does the same against AWS.
            """);

        // 1. A disk image: what a VM's root volume looks like, sparse.
        var disk = Path.Combine(folder, "disk.img");
        var generator = DiskImageGenerator.Sparse(GiB, dataBytes, seed: 2024);
        await generator.WriteFileAsync(disk, holes: true, token);
        Step(context, 1, $"A 1 GiB disk image with {Sizes.Format(dataBytes)} of data (text, binaries, random, repeated blocks; the rest free space): {disk}", []);

        // 2. Import it as a snapshot through the EBS direct APIs.
        Step(context, 2, "Import the disk into a snapshot through the EBS direct APIs",
        [
            $"amivault import-disk {disk}{Flags(eastAws)}",
            $"  # = aws ebs start-snapshot --volume-size 1, then aws ebs put-snapshot-block per non-zero 512 KiB block, then aws ebs complete-snapshot --checksum-aggregation-method LINEAR{Flags(eastAws)}",
        ]);
        DiskImportResult imported;
        using (var raw = new RawDiskFile(disk))
        {
            imported = await ImportDiskCommand.ImportAsync(context, eastAws, raw, disk, new DiskImportOptions { Description = "amivault demo root volume" });
        }

        // 3. Register it as an image.
        using var eastEc2 = eastAws.CreateEc2();
        await Ec2Waits.SnapshotCompletedAsync(eastEc2, imported.SnapshotId, token);
        var registration = new ImageRegistration($"amivault-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}", imported.SnapshotId, Description: "amivault demo image");
        Step(context, 3, $"Register an image with snapshot {imported.SnapshotId} as its root volume", [registration.AwsCli(Flags(eastAws))]);
        var imageId = await registration.RegisterAsync(eastEc2, token);
        context.Note($"  → {imageId}");

        // 4. Store it in a bucket as one object.
        const string eastBucket = "amivault-demo-east";
        var key = imageId + ".bin";
        Step(context, 4, $"Store {imageId} in a bucket as one compressed object, {key}",
        [
            $"aws s3 mb s3://{eastBucket}{Flags(eastAws)}",
            $"aws ec2 create-store-image-task --image-id {imageId} --bucket {eastBucket}{Flags(eastAws)}",
            $"aws ec2 wait store-image-task-complete --image-ids {imageId}{Flags(eastAws)}",
        ]);
        using (var buckets = eastAws.CreateObjectStore(8))
        {
            await buckets.Store.CreateBucketAsync(eastBucket, token);
            await eastEc2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = imageId, Bucket = eastBucket }, token);
            await Ec2Waits.StoreTaskDoneAsync(eastEc2, imageId, token);
            var stored = await buckets.Store.HeadObjectAsync(eastBucket, key, token);
            var reader = await ArchiveReader.OpenAsync(new ObjectArchiveSource(buckets.Store, eastBucket, key, stored.ETag, stored.Size), token);
            context.Note($"  → s3://{eastBucket}/{key}: {Sizes.Format(stored.Size)} for {Sizes.Format(reader.Statistics.LogicalBytes)} of blocks "
                + $"({(double)reader.Statistics.LogicalBytes / stored.Size:0.0}× smaller); see it with: amivault inspect s3://{eastBucket}/{key}{Flags(eastAws)}");
        }

        // 5. Copy the object across the partition boundary, each side with its own keys.
        const string govBucket = "amivault-demo-gov";
        Step(context, 5, "Copy the object to the other partition (different endpoint, account and keys)",
        [
            $"aws s3 mb s3://{govBucket}{Flags(govAws)}",
            $"amivault copy s3://{eastBucket}/{key} s3://{govBucket}/{key} --source-profile east --source-endpoint-url {eastAws.Endpoint("s3")} --source-region us-east-2 "
                + $"--dest-profile gov --dest-endpoint-url {govAws.Endpoint("s3")} --dest-region us-gov-east-1",
        ]);
        using (var govBuckets = govAws.CreateObjectStore(8))
        {
            await govBuckets.Store.CreateBucketAsync(govBucket, token);
        }

        var copied = await CopyCommand.CopyAsync(context, eastAws, new S3Location(eastBucket, key), govAws, new S3Location(govBucket, key),
            new ObjectCopyOptions { StateDirectory = Path.Combine(folder, "copy-state") });
        context.Note($"  → {copied.Parts} parts, same ETag as the source: {copied.SameETag}, archive digest checked at the destination");

        // 6. Restore it on the other side.
        Step(context, 6, "Restore the image from the copied object",
        [
            $"aws ec2 create-restore-image-task --bucket {govBucket} --object-key {key}{Flags(govAws)}",
            $"aws ec2 wait image-available --image-ids ami-…{Flags(govAws)}",
        ]);
        using var govEc2 = govAws.CreateEc2();
        var restoredId = (await govEc2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest { Bucket = govBucket, ObjectKey = key }, token)).ImageId;
        var restored = await Ec2Waits.ImageAvailableAsync(govEc2, restoredId, token);
        var restoredSnapshot = restored.BlockDeviceMappings.Single(m => m.Ebs?.SnapshotId is not null).Ebs.SnapshotId;
        context.Note($"  → {restoredId} ({restored.Name}), root snapshot {restoredSnapshot}, source {restored.SourceImageId} in {restored.SourceImageRegion}");

        // 7. Export the restored snapshot and compare.
        var exported = Path.Combine(folder, "restored.img");
        Step(context, 7, "Export the restored snapshot to a file and compare it with the original disk",
        [
            $"amivault export-snapshot {restoredSnapshot} {exported}{Flags(govAws)}",
            $"cmp {disk} {exported}",
        ]);
        await ExportSnapshotCommand.ExportAsync(context, govAws, restoredSnapshot, exported, overwrite: false, parallel: 64);
        var identical = await SparseFile.SameContentAsync(disk, exported, token);
        context.Note(identical
            ? $"  → identical: {Sizes.Format(new FileInfo(exported).Length)}, {Sizes.Format(SparseFile.AllocatedBytes(exported))} allocated (the free space stayed holes)"
            : "  → the restored disk DIFFERS from the original");

        context.WriteResult("Demo", new JsonObject
        {
            ["ImageId"] = imageId,
            ["SnapshotId"] = imported.SnapshotId,
            ["ObjectKey"] = key,
            ["RestoredImageId"] = restoredId,
            ["RestoredSnapshotId"] = restoredSnapshot,
            ["Identical"] = identical,
            ["Seconds"] = Sizes.Seconds(clock.Elapsed),
        });
        return identical ? ExitCodes.Success : ExitCodes.VerificationFailed;
    }

    private static Task<AmiVaultServer> StartAsync(string folder, string region, CancellationToken cancellationToken) =>
        AmiVaultServer.StartAsync(
            new AmiVaultOptions { Region = region, Port = 0, DataDir = Path.Combine(folder, region) },
            logging => logging.ClearProviders(),
            cancellationToken);

    private static AwsConnection Connect(CliContext context, AmiVaultServer server, string region)
    {
        var account = server.Accounts.All.Single();
        return AwsConnection.ForKeys(context.Host, account.AccessKeyId, account.SecretAccessKey, region, server.Endpoint);
    }

    private static string Flags(AwsConnection aws) => $" --endpoint-url {aws.Endpoint("ec2").ToString().TrimEnd('/')} --region {aws.Region}";

    private static void Step(CliContext context, int number, string what, IReadOnlyList<string> commands)
    {
        context.Note("");
        context.Note($"{number}. {what}");
        foreach (var command in commands)
        {
            context.Note($"   $ {command}");
        }
    }
}
