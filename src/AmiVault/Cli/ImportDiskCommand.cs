using System.CommandLine;
using System.Text.Json.Nodes;
using AmiVault.Catalog;
using AmiVault.Cli.Common;
using AmiVault.Transfers;
using Amazon.EC2;
using Amazon.EC2.Model;
using AmiVault.Ebs;

namespace AmiVault.Cli;

/// <summary>
/// `amivault import-disk FILE`: a disk image becomes an EBS snapshot through the EBS direct APIs of AmiVault or AWS
/// (as coldsnap does), optionally registered as an image. qcow2, VMDK, VHDX and VHD go through qemu-img.
/// </summary>
internal static class ImportDiskCommand
{
    public static Command Create(CliRunner runner)
    {
        var file = new Argument<string>("FILE") { Description = "The disk image: raw, or qcow2/VMDK/VHDX/VHD (converted with qemu-img)." };
        var format = new Option<string>("--format") { Description = "The image's format; auto recognises it by its first bytes.", DefaultValueFactory = _ => "auto" };
        format.AcceptOnlyFromAmong(["auto", DiskFormat.Raw, .. DiskFormat.Converted]);
        var description = new Option<string?>("--description") { Description = "The snapshot's description." };
        var tags = new Option<string[]>("--tag") { Description = "A tag for the snapshot, KEY=VALUE; repeat for more.", Arity = ArgumentArity.ZeroOrMore };
        var volumeSize = new Option<long?>("--volume-size") { Description = "Volume size in GiB (default: the image's size rounded up to whole GiB)." };
        var register = new Option<string?>("--register") { Description = "Also register an EBS-backed HVM image of this name with the snapshot as its root volume (implies --wait)." };
        var architecture = new Option<string>("--architecture") { Description = "The registered image's architecture.", DefaultValueFactory = _ => "x86_64" };
        architecture.AcceptOnlyFromAmong("x86_64", "arm64", "i386", "x86_64_mac", "arm64_mac");
        var bootMode = new Option<string?>("--boot-mode") { Description = "The registered image's boot mode." };
        bootMode.AcceptOnlyFromAmong("legacy-bios", "uefi", "uefi-preferred");
        var wait = new Option<bool>("--wait") { Description = "Wait until the snapshot is completed (AWS takes a while after the last block)." };
        var parallel = new Option<int>("--parallel") { Description = "Blocks in flight.", DefaultValueFactory = _ => 64 };
        parallel.Validators.Add(r => OptionChecks.Between(r, 1, 256));
        var tempDir = new Option<string?>("--temp-dir") { Description = "Where a non-raw image is converted to raw (default: TMPDIR); needs room for its data." };
        var connection = new ConnectionOptions();

        var command = new Command("import-disk", "Import a disk image into an EBS snapshot (EBS direct APIs); print the snapshot ID.")
        {
            file, format, description, tags, volumeSize, register, architecture, bootMode, wait, parallel, tempDir,
        };
        connection.AddTo(command);
        runner.SetAction(command, async context =>
        {
            var path = context.Value(file);
            if (!File.Exists(path))
            {
                throw CliException.Usage($"{path} does not exist.");
            }

            // Checked before a whole disk is uploaded, not by RegisterImage after it.
            if (context.Value(register) is { } requestedName && ImageNames.Problem(requestedName) is { } problem)
            {
                throw CliException.Usage($"--register: {problem}");
            }

            var options = new DiskImportOptions
            {
                Description = context.Value(description),
                Tags = ParseTags(context.Value(tags) ?? []),
                VolumeSizeGib = context.Value(volumeSize),
                Parallel = context.Value(parallel),
            };
            var aws = context.Connect(connection);
            string? converted = null;
            try
            {
                var imageFormat = context.Value(format) is "auto" ? DiskFormat.Detect(path) : context.Value(format);
                if (imageFormat != DiskFormat.Raw)
                {
                    converted = await ConvertAsync(context, path, imageFormat, context.Value(tempDir));
                }

                using var disk = new RawDiskFile(converted ?? path);
                var result = await ImportAsync(context, aws, disk, path, options);
                var json = new JsonObject { ["SnapshotId"] = result.SnapshotId };
                string? imageId = null;
                if (context.Value(wait) || context.Value(register) is not null)
                {
                    using var ec2 = aws.CreateEc2();
                    var snapshot = await Ec2Waits.SnapshotCompletedAsync(ec2, result.SnapshotId, context.CancellationToken);
                    json["Status"] = snapshot.State.Value;
                    if (context.Value(register) is { } name)
                    {
                        var registration = new ImageRegistration(name, result.SnapshotId, context.Value(architecture), context.Value(bootMode), options.Description);
                        try
                        {
                            imageId = await registration.RegisterAsync(ec2, context.CancellationToken);
                        }
                        catch (Exception e) when (e is not CliException)
                        {
                            // The upload is done and whole: keep it, and say how to use it or give it up.
                            var (code, message) = CliErrors.Describe(e, context.CancellationToken.IsCancellationRequested);
                            var flags = $" --region {aws.Region} --endpoint-url {aws.Endpoint("ec2").ToString().TrimEnd('/')}";
                            throw new CliException(code,
                                $"{message} The snapshot {result.SnapshotId} is complete and kept. Register it with: {registration.AwsCli(flags)}"
                                + $" (another name if that was the trouble); or delete it with: aws ec2 delete-snapshot --snapshot-id {result.SnapshotId}{flags}",
                                e);
                        }
                    }
                }
                else
                {
                    json["Status"] = result.Status;
                }

                if (imageId is not null)
                {
                    json["ImageId"] = imageId;
                }

                json["VolumeSize"] = result.VolumeSizeGib;
                json["ImageBytes"] = result.ImageBytes;
                json["BlocksWritten"] = result.BlocksWritten;
                json["BlocksSkipped"] = result.BlocksSkipped;
                json["LinearChecksum"] = result.LinearChecksum;
                json["Seconds"] = Sizes.Seconds(result.Elapsed);
                json["MegabytesPerSecond"] = Sizes.MegabytesPerSecond(result.ImageBytes, result.Elapsed);
                context.WriteResult("ImportDisk", json);
                return ExitCodes.Success;
            }
            finally
            {
                if (converted is not null)
                {
                    File.Delete(converted);
                }
            }
        });
        return command;
    }

    /// <summary>
    /// Starts the snapshot and sends the image. A snapshot left unfinished by a failure or Ctrl-C is deleted (EC2
    /// DeleteSnapshot), so nothing half-written stays behind; if that fails too it expires on its own.
    /// </summary>
    internal static async Task<DiskImportResult> ImportAsync(CliContext context, AwsConnection aws, RawDiskFile disk, string name, DiskImportOptions options)
    {
        using var ebs = aws.CreateEbs(options.Parallel * 2);
        var importer = new SnapshotImporter(ebs);
        var snapshotId = await importer.StartAsync(disk, options, context.CancellationToken);
        context.Note($"Importing {name} ({Sizes.Format(disk.Length)}) into {snapshotId} at {aws.Describe("ebs")}");
        using var progress = context.Progress("import-disk", disk.Length);
        try
        {
            var result = await importer.WriteAsync(snapshotId, disk, options, progress.Add, context.CancellationToken);
            progress.Finish($"import-disk: {Sizes.Format(disk.Length)} in {Sizes.Duration(result.Elapsed)}, {result.BlocksWritten} blocks sent, {result.BlocksSkipped} zero or unallocated blocks skipped");
            return result;
        }
        catch (Exception)
        {
            progress.Dispose();
            await DeleteUnfinishedAsync(context, aws, snapshotId);
            throw;
        }
    }

    private static async Task DeleteUnfinishedAsync(CliContext context, AwsConnection aws, string snapshotId)
    {
        try
        {
            using var ec2 = aws.CreateEc2();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await ec2.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshotId }, timeout.Token);
            context.Note($"Deleted the unfinished snapshot {snapshotId}.");
        }
        catch (Exception e) when (e is AmazonEC2Exception or HttpRequestException or OperationCanceledException)
        {
            context.Note($"The unfinished snapshot {snapshotId} could not be deleted ({e.Message}); it goes to 'error' when its timeout passes. Delete it with: aws ec2 delete-snapshot --snapshot-id {snapshotId}");
        }
    }

    private static async Task<string> ConvertAsync(CliContext context, string path, string format, string? tempDir)
    {
        var qemu = QemuImg.Find(context.Host.Environment("PATH")) ?? throw CliException.Configuration(
            $"{path} is a {DiskFormat.Describe(format)} image; converting it needs qemu-img, which is not installed (not found on PATH). "
            + "Install it (Debian/Ubuntu: apt-get install qemu-utils; Fedora: dnf install qemu-img; macOS: brew install qemu), "
            + $"or convert the image yourself (qemu-img convert -O raw {path} disk.raw) and import the raw file.");
        var target = Path.Combine(tempDir ?? Path.GetTempPath(), $"amivault-import-{Guid.NewGuid():N}.raw");
        context.Note($"Converting {path} from {DiskFormat.Describe(format)} to raw with {qemu.Executable} (into {target}, sparse)…");
        try
        {
            await qemu.ConvertToRawAsync(path, format, target, context.CancellationToken);
            return target;
        }
        catch (Exception)
        {
            File.Delete(target);
            throw;
        }
    }

    private static List<KeyValuePair<string, string>> ParseTags(IEnumerable<string> tags) =>
        [.. tags.Select(t => t.IndexOf('=', StringComparison.Ordinal) is > 0 and var eq
            ? KeyValuePair.Create(t[..eq], t[(eq + 1)..])
            : throw CliException.Usage($"--tag '{t}' is not KEY=VALUE."))];
}
