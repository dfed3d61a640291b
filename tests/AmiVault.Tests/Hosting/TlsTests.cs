using System.Diagnostics;
using AmiVault.Configuration;
using AmiVault.Hosting;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.Hosting;

/// <summary>
/// HTTPS on the server's one port with a certificate the test makes (openssl), used by the AWS CLI with --ca-bundle
/// and by boto3 with verify=; and the refusals that keep a server off the network without TLS.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "amivault-tls-" + Guid.NewGuid().ToString("N")[..8]);
    private TestServer? _server;

    private string Certificate => Path.Combine(_dir, "cert.pem");

    private string Key => Path.Combine(_dir, "key.pem");

    private TestServer Server => _server!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        var openssl = new ProcessStartInfo("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Key, "-out", Certificate,
            "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using (var process = Process.Start(openssl)!)
        {
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, "openssl failed: " + error);
        }

        _server = await TestServer.StartAsync("us-east-1", o => o.Tls = new TlsOptions { CertificateFile = Certificate, KeyFile = Key });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_AWS_CLI_works_over_HTTPS_with_the_servers_certificate_as_its_CA_bundle()
    {
        Assert.Equal("https", Server.Endpoint.Scheme);
        var bundle = new Dictionary<string, string> { ["AWS_CA_BUNDLE"] = Certificate };
        (await AwsCli.RunAsync(Server, TestServer.Alice, null, bundle, "s3", "mb", "s3://tls-bucket")).EnsureSuccess();
        var file = Path.Combine(_dir, "object.bin");
        var data = new byte[3 << 20];
        Random.Shared.NextBytes(data);
        await File.WriteAllBytesAsync(file, data);
        (await AwsCli.RunAsync(Server, TestServer.Alice, null, bundle, "s3", "cp", file, "s3://tls-bucket/object.bin")).EnsureSuccess();
        var back = Path.Combine(_dir, "back.bin");
        (await AwsCli.RunAsync(Server, TestServer.Alice, null, bundle, "s3", "cp", "s3://tls-bucket/object.bin", back)).EnsureSuccess();
        Assert.Equal(data, await File.ReadAllBytesAsync(back));
        var images = (await AwsCli.RunAsync(Server, TestServer.Alice, null, bundle, "ec2", "describe-images", "--owners", "self")).EnsureSuccess();
        Assert.Equal(0, images.Json.GetProperty("Images").GetArrayLength());
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_certificate_is_refused_by_its_own_TLS_check()
    {
        var result = await AwsCli.RunAsync(Server, "ec2", "describe-images", "--owners", "self");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("SSL", result.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Boto3_works_over_HTTPS_with_verify_set_to_the_certificate()
    {
        var output = await Boto3.RunAsync(Server, TestServer.Alice, $$"""
            s3 = boto3.client("s3", endpoint_url=_endpoint, region_name=_region, verify={{Python(Certificate)}},
                aws_access_key_id=_credentials.access_key, aws_secret_access_key=_credentials.secret_key)
            s3.create_bucket(Bucket="tls-boto")
            s3.put_object(Bucket="tls-boto", Key="k", Body=b"over tls")
            ec2s = boto3.client("ec2", endpoint_url=_endpoint, region_name=_region, verify={{Python(Certificate)}},
                aws_access_key_id=_credentials.access_key, aws_secret_access_key=_credentials.secret_key)
            print(s3.get_object(Bucket="tls-boto", Key="k")["Body"].read().decode(), len(ec2s.describe_images(Owners=["self"])["Images"]))
            """);
        Assert.Equal("over tls 0", output.Trim());
    }

    [Fact]
    public async Task A_server_off_loopback_without_TLS_is_refused_before_it_listens()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync("us-east-1", o => o.Listen = "0.0.0.0"));
        Assert.Contains("without TLS", error.Message, StringComparison.Ordinal);
        Assert.Contains("--tls-cert", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Allowing_an_insecure_listen_or_giving_TLS_lifts_the_refusal()
    {
        var address = System.Net.IPAddress.Parse("10.1.2.3");
        ListenerSecurity.CheckExposure(new AmiVaultOptions { Listen = "10.1.2.3", AllowInsecureListen = true }, address, generatedAccount: false);
        ListenerSecurity.CheckExposure(new AmiVaultOptions { Listen = "10.1.2.3", Tls = new TlsOptions { CertificateFile = Certificate, KeyFile = Key } }, address, generatedAccount: false);
        Assert.Throws<InvalidOperationException>(() => ListenerSecurity.CheckExposure(new AmiVaultOptions { Listen = "10.1.2.3", AllowInsecureListen = true }, address, generatedAccount: true));
    }

    [Fact]
    public async Task A_certificate_without_its_key_or_a_missing_file_is_a_clear_error()
    {
        var noKey = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync("us-east-1", o => o.Tls = new TlsOptions { CertificateFile = Certificate }));
        Assert.Contains("--tls-key", noKey.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync("us-east-1", o => o.Tls = new TlsOptions { CertificateFile = Certificate, KeyFile = Key + ".missing" }));
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(() => TestServer.StartAsync("us-east-1", o => o.Tls = new TlsOptions { CertificateFile = Key, KeyFile = Certificate }));
        Assert.Contains("Could not load the TLS certificate", wrong.Message, StringComparison.Ordinal);
    }

    private static string Python(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
