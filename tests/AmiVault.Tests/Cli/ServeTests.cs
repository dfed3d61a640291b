using System.Net;
using System.Net.Sockets;
using AmiVault.Tests.Support;
using AmiVault.Tests.Tasks;
using Amazon.EC2.Model;

namespace AmiVault.Tests.Cli;

/// <summary>`amivault serve` as users run it, in processes of its own: who owns a data folder, and what it says when it cannot start.</summary>
public sealed class ServeTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "amivault-serve-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_second_server_on_a_data_folder_in_use_refuses_naming_the_folder_and_its_holder_and_touches_nothing()
    {
        await using var first = await ChildServer.StartAsync(_dataDir);
        using var ec2 = first.Ec2();
        await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
        var before = Listing(_dataDir);

        var (exitCode, output) = await ChildServer.RefusedAsync(_dataDir, port: 0);

        Assert.Equal(255, exitCode);
        Assert.Contains($"The data folder {_dataDir} is in use by another AmiVault server (process {first.ProcessId})", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Equal(before, Listing(_dataDir));
        await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
    }

    [Fact]
    public async Task The_lock_dies_with_its_process_so_a_killed_server_leaves_none_behind()
    {
        var first = await ChildServer.StartAsync(_dataDir);
        await first.KillAsync();
        await first.DisposeAsync();

        await using var second = await ChildServer.StartAsync(_dataDir);
        using var ec2 = second.Ec2();
        await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
    }

    [Fact]
    public async Task A_port_in_use_is_said_in_one_line_by_the_server_with_a_non_zero_exit()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = await ChildServer.RefusedAsync(_dataDir, port);

        Assert.Equal(255, exitCode);
        Assert.Equal($"amivault serve: Port {port} on 127.0.0.1 is in use by another program. Stop it, or choose another port with --port.", output.Trim());
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_body_is_no_failure_in_the_server_log()
    {
        await using var server = await ChildServer.StartAsync(_dataDir);
        using var ec2 = server.Ec2();
        await Boto3.RunAsync(server.Endpoint.ToString().TrimEnd('/'), server.Region, TestServer.Alice, """
            import socket, struct, time
            boto3.client("s3", endpoint_url=_endpoint, region_name=_region, aws_access_key_id=_credentials.access_key,
                aws_secret_access_key=_credentials.secret_key).create_bucket(Bucket="half")
            host, port = _endpoint.split("://")[1].split(":")
            unsigned = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}
            requests = [
                ("PUT", "/half/key", "s3", dict(unsigned, **{"Content-Length": "10000000"})),
                ("POST", "/", "ec2", dict(unsigned, **{"Content-Length": "100000", "Content-Type": "application/x-www-form-urlencoded"})),
                ("PUT", "/snapshots/snap-0123456789abcdef0/blocks/0", "ebs", dict(unsigned, **{"Content-Length": "524288",
                    "x-amz-Data-Length": "524288", "x-amz-Checksum": "AAAA", "x-amz-Checksum-Algorithm": "SHA256"})),
            ]
            for reset in (False, True):
                for method, path, service, headers in requests:
                    sock = socket.create_connection((host, int(port)))
                    sock.sendall(signed_head(method, path, service, headers) + b"x" * 1000)
                    time.sleep(0.3)
                    if reset:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sock.close()
            time.sleep(0.5)
            """);

        // The server still serves, and said nothing of the six broken requests.
        await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
        Assert.DoesNotContain("fail:", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }

    /// <summary>Every file under the folder with its size and last write, to show a refused server wrote nothing.</summary>
    private static List<string> Listing(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(folder, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}")];

    public void Dispose()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
