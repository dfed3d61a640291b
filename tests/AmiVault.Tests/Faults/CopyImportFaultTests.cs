using System.Security.Cryptography;
using AmiVault.Imaging;
using AmiVault.IO;
using AmiVault.ObjectStore;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Tests.Faults;

/// <summary>
/// `amivault copy` with either side behind a <see cref="FaultProxy"/>, and `amivault import-disk` with the server
/// behind one: each fault is retried away (the copy or snapshot is byte-exact) or the command fails with a reason,
/// leaving no object whose bytes differ and no unfinished snapshot.
/// </summary>
public sealed class CopyImportFaultTests(FaultyBucketFixture fixture) : IClassFixture<FaultyBucketFixture>, IAsyncLifetime
{
    private readonly AmivaultCli _cli = new();
    private FaultProxy _serverProxy = null!;

    public async Task InitializeAsync()
    {
        _serverProxy = await FaultProxy.StartAsync(fixture.Vault.Endpoint);
        var backing = fixture.Backing;
        _cli.Profile("direct", TestServer.Alice, backing)
            .Profile("faulty", TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey, backing.Region, fixture.Proxy.EndpointUrl)
            .Profile("vault", TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey, fixture.Vault.Region, _serverProxy.EndpointUrl);
    }

    private static bool IsRangedGet(HttpRequest r) => r.Method == "GET" && r.Headers.Range.Count > 0;

    private static bool IsUploadPart(HttpRequest r) => r.Method == "PUT" && r.Query.ContainsKey("partNumber");

    private static bool IsPutBlock(HttpRequest r) => r.Method == "PUT" && r.Path.Value!.Contains("/blocks/", StringComparison.Ordinal);

    /// <summary>Each fault at the copy's first ranged read, and at a later one (a part's data).</summary>
    public static TheoryData<FaultKind, int> SourceFaults => new()
    {
        { FaultKind.ServerError, 0 },
        { FaultKind.SlowDown, 0 },
        { FaultKind.ResetMidBody, 0 },
        { FaultKind.TruncatedBody, 0 },
        { FaultKind.BitFlip, 0 },
        { FaultKind.ResetMidBody, 2 },
        { FaultKind.TruncatedBody, 2 },
        { FaultKind.BitFlip, 2 },
    };

    [Theory]
    [MemberData(nameof(SourceFaults))]
    public async Task A_copy_whose_source_reads_meet_a_fault_is_exact(FaultKind fault, int readsBefore)
    {
        var bucket = await fixture.NewBucketAsync("copy-src-" + fault.ToString().ToLowerInvariant());
        var seen = 0;
        fixture.Proxy.Inject(fault, 1, r => IsRangedGet(r) && Interlocked.Increment(ref seen) > readsBefore);

        var result = await _cli.RunAsync("copy", $"s3://{fixture.ArchiveBucket}/{fixture.ArchiveKey}", $"s3://{bucket}/copy.bin", "--source-profile", "faulty", "--dest-profile", "direct");

        Assert.Equal(1, fixture.Proxy.Injected(fault));
        await AssertCopyOutcomeAsync(result, bucket, fault);
    }

    public static TheoryData<FaultKind> DestinationFaults => [FaultKind.ServerError, FaultKind.SlowDown, FaultKind.ResetMidBody];

    [Theory]
    [MemberData(nameof(DestinationFaults))]
    public async Task A_copy_whose_part_uploads_meet_a_fault_is_exact(FaultKind fault)
    {
        var bucket = await fixture.NewBucketAsync("copy-dst-" + fault.ToString().ToLowerInvariant());
        fixture.Proxy.Inject(fault, 1, IsUploadPart);

        var result = await _cli.RunAsync("copy", $"s3://{fixture.ArchiveBucket}/{fixture.ArchiveKey}", $"s3://{bucket}/copy.bin", "--source-profile", "direct", "--dest-profile", "faulty");

        Assert.Equal(1, fixture.Proxy.Injected(fault));
        await AssertCopyOutcomeAsync(result, bucket, fault);
    }

    public static TheoryData<FaultKind> ImportFaults => [FaultKind.ServerError, FaultKind.SlowDown, FaultKind.ResetMidBody, FaultKind.Stall];

    [Theory]
    [MemberData(nameof(ImportFaults))]
    public async Task An_import_whose_block_writes_meet_a_fault_is_exact(FaultKind fault)
    {
        var disk = await DiskAsync(fault);
        _serverProxy.StallTime = TimeSpan.FromSeconds(10);
        _serverProxy.Inject(fault, 2, IsPutBlock);

        var result = await _cli.RunAsync("import-disk", disk, "--profile", "vault", "--description", "fault " + fault);

        Assert.Equal(2, _serverProxy.Injected(fault));
        using var ec2 = fixture.Vault.Ec2();
        var mine = ((await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"] })).Snapshots ?? [])
            .Where(s => s.Description == "fault " + fault).ToList();
        Assert.True(result.ExitCode == 0, $"{fault}: {result}");
        var snapshot = Assert.Single(mine);
        Assert.Equal(result.String("SnapshotId"), snapshot.SnapshotId);
        var exported = Path.Combine(_cli.Home, "exported.img");
        (await _cli.RunAsync("export-snapshot", snapshot.SnapshotId, exported, "--profile", "vault")).EnsureSuccess();
        Assert.True(await SparseFile.SameContentAsync(disk, exported), $"{fault}: the exported snapshot differs from the disk");
    }

    /// <summary>Three RequestLimitExceeded in a row (the SDK alone would give up after three attempts), and an answer lost after the image was registered.</summary>
    [Theory]
    [InlineData(FaultKind.SlowDown, 3)]
    [InlineData(FaultKind.LoseAnswer, 1)]
    public async Task An_import_whose_RegisterImage_meets_faults_registers_one_image(FaultKind fault, int times)
    {
        var disk = await DiskAsync(fault);
        var name = "register-" + fault.ToString().ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N")[..8];
        _serverProxy.Inject(fault, times, r => r.HasFormContentType && r.Form["Action"] == "RegisterImage");

        var result = await _cli.RunAsync("import-disk", disk, "--profile", "vault", "--register", name);

        Assert.True(result.ExitCode == 0, $"{fault}: {result}");
        Assert.Equal(times, _serverProxy.Injected(fault));
        using var ec2 = fixture.Vault.Ec2();
        var images = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], Filters = [new Filter("name", [name])] })).Images ?? [];
        Assert.Equal(result.String("ImageId"), Assert.Single(images).ImageId);
    }

    public static TheoryData<FaultKind> ExportFaults => [FaultKind.ServerError, FaultKind.SlowDown, FaultKind.ResetMidBody, FaultKind.TruncatedBody, FaultKind.BitFlip];

    [Theory]
    [MemberData(nameof(ExportFaults))]
    public async Task An_export_whose_block_reads_meet_a_fault_is_exact(FaultKind fault)
    {
        var disk = await DiskAsync(fault);
        var snapshotId = (await _cli.RunAsync("import-disk", disk, "--profile", "vault")).EnsureSuccess().String("SnapshotId");
        _serverProxy.Inject(fault, 2, r => r.Method == "GET" && r.Path.Value!.Contains("/blocks/", StringComparison.Ordinal));

        var exported = Path.Combine(_cli.Home, "exported.img");
        var result = await _cli.RunAsync("export-snapshot", snapshotId, exported, "--profile", "vault");

        Assert.Equal(2, _serverProxy.Injected(fault));
        Assert.True(result.ExitCode == 0, $"{fault}: {result}");
        Assert.True(await SparseFile.SameContentAsync(disk, exported), $"{fault}: the exported snapshot differs from the disk");
    }

    /// <summary>A 1 GiB sparse disk with 6 MiB of data.</summary>
    private async Task<string> DiskAsync(FaultKind fault)
    {
        var disk = Path.Combine(_cli.Home, "disk.img");
        await DiskImageGenerator.Sparse(1L << 30, 6L << 20, seed: (ulong)fault + 1).WriteFileAsync(disk, holes: true);
        return disk;
    }

    /// <summary>
    /// A copy that says it succeeded is byte-exact at the destination with no upload left; one that failed says why
    /// and left no destination object.
    /// </summary>
    private async Task AssertCopyOutcomeAsync(CliResult result, string bucket, FaultKind fault)
    {
        var truth = fixture.Truth;
        Assert.True(result.ExitCode == 0, $"{fault}: {result}");
        var source = await ObjectMd5Async(truth, fixture.ArchiveBucket, fixture.ArchiveKey);
        var copy = await ObjectMd5Async(truth, bucket, "copy.bin");
        Assert.True(source.SequenceEqual(copy), $"{fault}: the copy says it succeeded but its bytes differ from the source");
        await fixture.AssertNothingLeftAsync(bucket, "copy.bin");
    }

    private static async Task<byte[]> ObjectMd5Async(IObjectStore store, string bucket, string key)
    {
        await using var content = await store.GetObjectAsync(bucket, key, ObjectReadOptions.Whole);
        return await MD5.HashDataAsync(content.Body);
    }

    public async Task DisposeAsync()
    {
        fixture.Proxy.Reset();
        await _serverProxy.DisposeAsync();
        _cli.Dispose();
    }
}
