using System.Globalization;
using System.Security.Cryptography;
using AmiVault.Blocks;
using AmiVault.Tests.Support;
using static AmiVault.Tests.Ebs.EbsTestData;

namespace AmiVault.Tests.Ebs;

/// <summary>The EBS direct APIs driven by the real AWS CLI v2, as a user would.</summary>
public sealed class EbsCliTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("amivault-ebs-cli-").FullName;
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_AWS_CLI_writes_completes_lists_and_reads_back_a_snapshot_byte_exact()
    {
        var a = Random();
        (int Index, byte[] Data)[] written = [(0, Zeros()), (1, a), (9, a)];

        var start = (await AwsCli.RunAsync(_server, "ebs", "start-snapshot", "--volume-size", "1", "--description", "from the cli",
            "--tags", "Key=origin,Value=cli", "--timeout", "60")).EnsureSuccess().Json;
        var snapshotId = start.GetProperty("SnapshotId").GetString()!;
        Assert.Equal("pending", start.GetProperty("Status").GetString());
        Assert.Equal(IBlockStore.BlockSize, start.GetProperty("BlockSize").GetInt32());
        Assert.Equal("origin", start.GetProperty("Tags")[0].GetProperty("Key").GetString());

        foreach (var (index, data) in written)
        {
            var file = Path.Combine(_dir, $"put-{index}.bin");
            await File.WriteAllBytesAsync(file, data);
            var put = (await AwsCli.RunAsync(_server, "ebs", "put-snapshot-block", "--snapshot-id", snapshotId, "--block-index", Text(index),
                "--block-data", file, "--data-length", Text(IBlockStore.BlockSize), "--checksum", Checksum(data), "--checksum-algorithm", "SHA256",
                "--progress", "50")).EnsureSuccess().Json;
            Assert.Equal(Checksum(data), put.GetProperty("Checksum").GetString());
        }

        var complete = (await AwsCli.RunAsync(_server, "ebs", "complete-snapshot", "--snapshot-id", snapshotId, "--changed-blocks-count", Text(written.Length),
            "--checksum", Linear(written), "--checksum-algorithm", "SHA256", "--checksum-aggregation-method", "LINEAR")).EnsureSuccess().Json;
        Assert.Equal("pending", complete.GetProperty("Status").GetString());
        Assert.Equal("completed", (await _server.Catalog().GetAsync(snapshotId))!.Status);

        var list = (await AwsCli.RunAsync(_server, "ebs", "list-snapshot-blocks", "--snapshot-id", snapshotId, "--max-results", "100",
            "--starting-block-index", "0")).EnsureSuccess().Json;
        Assert.Equal(1, list.GetProperty("VolumeSize").GetInt64());
        Assert.True(list.TryGetProperty("ExpiryTime", out _));
        var blocks = list.GetProperty("Blocks").EnumerateArray().ToList();
        Assert.Equal(written.Select(w => w.Index), blocks.Select(b => b.GetProperty("BlockIndex").GetInt32()));

        foreach (var block in blocks)
        {
            var index = block.GetProperty("BlockIndex").GetInt32();
            var file = Path.Combine(_dir, $"get-{index}.bin");
            var get = (await AwsCli.RunAsync(_server, "ebs", "get-snapshot-block", "--snapshot-id", snapshotId, "--block-index", Text(index),
                "--block-token", block.GetProperty("BlockToken").GetString()!, file)).EnsureSuccess().Json;
            var expected = written.Single(w => w.Index == index).Data;
            Assert.Equal(expected, await File.ReadAllBytesAsync(file));
            Assert.Equal(Checksum(expected), get.GetProperty("Checksum").GetString());
            Assert.Equal(Text(IBlockStore.BlockSize), get.GetProperty("DataLength").ToString()); // the CLI prints this header as a string
        }

        Assert.Equal([Convert.ToHexStringLower(SHA256.HashData(a))], _server.StoredBlocks());

        var changed = (await AwsCli.RunAsync(_server, "ebs", "list-changed-blocks", "--second-snapshot-id", snapshotId)).EnsureSuccess().Json;
        Assert.Equal(written.Length, changed.GetProperty("ChangedBlocks").GetArrayLength());
    }

    [Fact]
    public async Task The_AWS_CLI_shows_the_documented_errors_and_nothing_changes()
    {
        var snapshotId = (await AwsCli.RunAsync(_server, "ebs", "start-snapshot", "--volume-size", "1")).EnsureSuccess().Json.GetProperty("SnapshotId").GetString()!;
        var file = Path.Combine(_dir, "block.bin");
        await File.WriteAllBytesAsync(file, Filled(2));
        string[] put = ["ebs", "put-snapshot-block", "--snapshot-id", snapshotId, "--block-index", "0", "--block-data", file,
            "--data-length", Text(IBlockStore.BlockSize), "--checksum-algorithm", "SHA256", "--checksum"];
        var before = await _server.StateAsync();

        var wrongChecksum = await AwsCli.RunAsync(_server, [.. put, Checksum(Filled(3))]);
        Assert.Equal("ValidationException", wrongChecksum.ErrorCode);
        Assert.NotEqual(0, wrongChecksum.ExitCode);

        var beyond = await AwsCli.RunAsync(_server, [.. put[..5], "2048", .. put[6..], Checksum(Filled(2))]);
        Assert.Equal("ValidationException", beyond.ErrorCode);

        var asBob = await AwsCli.RunAsync(_server, TestServer.Bob, null, [.. put, Checksum(Filled(2))]);
        Assert.Equal("ResourceNotFoundException", asBob.ErrorCode);

        var wrongSecret = await AwsCli.RunAsync(_server, TestServer.Alice, "not-the-secret", [.. put, Checksum(Filled(2))]);
        Assert.Equal("AccessDeniedException", wrongSecret.ErrorCode);

        var wrongCount = await AwsCli.RunAsync(_server, "ebs", "complete-snapshot", "--snapshot-id", snapshotId, "--changed-blocks-count", "3");
        Assert.Equal("ValidationException", wrongCount.ErrorCode);

        Assert.Equal(before, await _server.StateAsync());

        (await AwsCli.RunAsync(_server, [.. put, Checksum(Filled(2))])).EnsureSuccess();
        (await AwsCli.RunAsync(_server, "ebs", "complete-snapshot", "--snapshot-id", snapshotId, "--changed-blocks-count", "1")).EnsureSuccess();
        var badToken = await AwsCli.RunAsync(_server, "ebs", "get-snapshot-block", "--snapshot-id", snapshotId, "--block-index", "0",
            "--block-token", "Zm9yZ2VkdG9rZW4=", Path.Combine(_dir, "out.bin"));
        Assert.Equal("ValidationException", badToken.ErrorCode);
        Assert.Contains("block token is not valid", badToken.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "out.bin")) && new FileInfo(Path.Combine(_dir, "out.bin")).Length > 0);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
