using System.Diagnostics;
using AmiVault.Imaging;
using AmiVault.IO;
using AmiVault.Tests.Support;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Cli;

/// <summary>`amivault import-disk` and `export-snapshot` against a real server, through the in-process command tree.</summary>
public sealed class ImportExportTests : IAsyncLifetime
{
    private const long GiB = 1L << 30;
    private readonly AmivaultCli _cli = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync("eu-west-1");
        _cli.Profile("lab", TestServer.Alice, _server);
    }

    [Fact]
    public async Task An_imported_disk_exports_byte_identical_with_its_free_space_as_holes()
    {
        var disk = await SparseDiskAsync("disk.img", writtenMiB: 24);

        var imported = (await _cli.RunAsync("import-disk", disk, "--profile", "lab", "--wait", "--tag", "os=linux", "--description", "root volume")).EnsureSuccess();
        var snapshotId = imported.String("SnapshotId");
        Assert.Equal("completed", imported.String("Status"));
        Assert.Equal(1, imported.Number("VolumeSize"));
        Assert.InRange(imported.Number("BlocksWritten"), 1, 48);
        Assert.Equal(2048, imported.Number("BlocksWritten") + imported.Number("BlocksSkipped"));
        using (var ec2 = _server.Ec2())
        {
            var snapshot = Assert.Single((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = [snapshotId] })).Snapshots);
            Assert.Equal("root volume", snapshot.Description);
            Assert.Contains(snapshot.Tags, t => t.Key == "os" && t.Value == "linux");
        }

        var exported = Path.Combine(_cli.Home, "exported.img");
        var export = (await _cli.RunAsync("export-snapshot", snapshotId, exported, "--profile", "lab")).EnsureSuccess();
        Assert.Equal(GiB, new FileInfo(exported).Length);
        Assert.True(await SparseFile.SameContentAsync(disk, exported));
        var allocated = await DuBytesAsync(exported);
        Assert.InRange(allocated, 1, 24L << 20);
        Assert.Equal(export.Number("BlocksWritten") * (512 << 10), SparseFile.AllocatedBytes(exported));
        Assert.Empty(Directory.GetFiles(_cli.Home, "*.partial"));
    }

    [Fact]
    public async Task Import_with_register_makes_an_image_whose_root_volume_is_the_snapshot()
    {
        var disk = await SparseDiskAsync("boot.img", writtenMiB: 4);

        var result = (await _cli.RunAsync("import-disk", disk, "--profile", "lab", "--register", "imported-root", "--boot-mode", "uefi")).EnsureSuccess();

        using var ec2 = _server.Ec2();
        var image = Assert.Single((await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [result.String("ImageId")] })).Images);
        Assert.Equal("imported-root", image.Name);
        Assert.Equal("uefi", image.BootMode.Value);
        Assert.Equal("hvm", image.VirtualizationType.Value);
        Assert.Equal(result.String("SnapshotId"), Assert.Single(image.BlockDeviceMappings).Ebs.SnapshotId);
    }

    [Fact]
    public async Task An_invalid_register_name_is_refused_before_anything_is_uploaded()
    {
        var disk = await SparseDiskAsync("named.img", writtenMiB: 4);

        var result = await _cli.RunAsync("import-disk", disk, "--profile", "lab", "--register", "no*stars");

        Assert.Equal(252, result.ExitCode);
        Assert.Contains("--register: AMI names may only contain", result.Stderr, StringComparison.Ordinal);
        using var ec2 = _server.Ec2();
        Assert.Empty((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"] })).Snapshots ?? []);
    }

    [Fact]
    public async Task A_registration_that_fails_after_the_upload_names_the_kept_snapshot_and_how_to_register_or_delete_it()
    {
        var disk = await SparseDiskAsync("taken.img", writtenMiB: 4);
        (await _cli.RunAsync("import-disk", disk, "--profile", "lab", "--register", "taken-name")).EnsureSuccess();

        var result = await _cli.RunAsync("import-disk", disk, "--profile", "lab", "--register", "taken-name");

        Assert.Equal(254, result.ExitCode);
        using var ec2 = _server.Ec2();
        var registered = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images.Select(i => i.BlockDeviceMappings[0].Ebs.SnapshotId).ToList();
        var kept = (await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"] })).Snapshots.Single(s => !registered.Contains(s.SnapshotId));
        Assert.Equal("completed", kept.State.Value);
        Assert.Contains("InvalidAMIName.Duplicate", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"The snapshot {kept.SnapshotId} is complete and kept", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"aws ec2 delete-snapshot --snapshot-id {kept.SnapshotId} --region eu-west-1 --endpoint-url {_server.EndpointUrl}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("aws ec2 register-image --name 'taken-name'", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("qcow2", "QCOW2")]
    [InlineData("vmdk", "VMDK")]
    public async Task A_qcow2_or_vmdk_image_goes_through_qemu_img_and_imports_like_its_raw_form(string format, string shown)
    {
        var raw = await SparseDiskAsync("vm.raw", writtenMiB: 8);
        var image = Path.Combine(_cli.Home, "vm." + format);
        await RunAsync("qemu-img", "convert", "-f", "raw", "-O", format, raw, image);

        var temp = Directory.CreateDirectory(Path.Combine(_cli.Home, "convert")).FullName;
        var imported = (await _cli.RunAsync("import-disk", image, "--profile", "lab", "--temp-dir", temp)).EnsureSuccess();
        Assert.Contains($"from {shown} to raw with", imported.Stderr, StringComparison.Ordinal);
        var exported = Path.Combine(_cli.Home, "vm.exported");
        (await _cli.RunAsync("export-snapshot", imported.String("SnapshotId"), exported, "--profile", "lab")).EnsureSuccess();

        Assert.True(await SparseFile.SameContentAsync(raw, exported));
        Assert.Empty(Directory.GetFiles(temp));
    }

    [Fact]
    public async Task Without_qemu_img_a_qcow2_import_says_what_to_install_and_creates_nothing()
    {
        var qcow2 = Path.Combine(_cli.Home, "vm.qcow2");
        await RunAsync("qemu-img", "create", "-f", "qcow2", qcow2, "1G");
        _cli["PATH"] = Path.Combine(_cli.Home, "empty-bin");

        var result = await _cli.RunAsync("import-disk", qcow2, "--profile", "lab");

        Assert.Equal(253, result.ExitCode);
        Assert.Contains("qemu-img", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("apt-get install qemu-utils", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        using var ec2 = _server.Ec2();
        Assert.Empty((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"] })).Snapshots ?? []);
    }

    [Fact]
    public async Task Export_refuses_to_replace_a_file_unless_forced()
    {
        var disk = await SparseDiskAsync("small.img", writtenMiB: 2);
        var snapshotId = (await _cli.RunAsync("import-disk", disk, "--profile", "lab")).EnsureSuccess().String("SnapshotId");
        var target = Path.Combine(_cli.Home, "existing.img");
        await File.WriteAllTextAsync(target, "keep me");

        var refused = await _cli.RunAsync("export-snapshot", snapshotId, target, "--profile", "lab");
        Assert.Equal(252, refused.ExitCode);
        Assert.Contains("--force", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(target));

        (await _cli.RunAsync("export-snapshot", snapshotId, target, "--profile", "lab", "--force")).EnsureSuccess();
        Assert.True(await SparseFile.SameContentAsync(disk, target));
    }

    [Fact]
    public async Task Exporting_a_snapshot_that_does_not_exist_fails_with_the_service_error_and_leaves_no_file()
    {
        var target = Path.Combine(_cli.Home, "missing.img");

        var result = await _cli.RunAsync("export-snapshot", "snap-0123456789abcdef0", target, "--profile", "lab");

        Assert.Equal(254, result.ExitCode);
        Assert.Contains("ResourceNotFoundException", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_cli.Home, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_interrupted_import_deletes_its_unfinished_snapshot()
    {
        var disk = await SparseDiskAsync("big.img", writtenMiB: 256);
        using var cancel = new CancellationTokenSource();
        var run = _cli.RunAsync(cancel.Token, "import-disk", disk, "--profile", "lab", "--parallel", "2");
        using (var ec2 = _server.Ec2())
        {
            while ((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"] })).Snapshots is not { Count: > 0 })
            {
                await Task.Delay(20);
            }
        }

        await cancel.CancelAsync();
        var result = await run;

        Assert.Equal(130, result.ExitCode);
        Assert.Contains("Deleted the unfinished snapshot", result.Stderr, StringComparison.Ordinal);
        using var check = _server.Ec2();
        Assert.Empty((await check.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"] })).Snapshots ?? []);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    /// <summary>A 1 GiB sparse disk image with some MiB of system-disk-like data.</summary>
    private async Task<string> SparseDiskAsync(string name, int writtenMiB)
    {
        var path = Path.Combine(_cli.Home, name);
        await DiskImageGenerator.Sparse(GiB, (long)writtenMiB << 20, seed: (ulong)name.Length).WriteFileAsync(path, holes: true);
        return path;
    }

    /// <summary>Allocated bytes as `du` counts them, independently of our own SEEK_DATA code.</summary>
    private static async Task<long> DuBytesAsync(string path) => long.Parse((await RunAsync("du", "-B1", path)).Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string> RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? stdout : throw new InvalidOperationException($"{program} failed: {stderr}");
    }
}
