using System.Net;
using AmiVault.Client;
using AmiVault.Resilience;
using Amazon.Runtime;
using AmiVault.Tests.Support;
using static AmiVault.Tests.Ebs.EbsTestData;

namespace AmiVault.Tests.Ebs;

public sealed class EbsClientTests
{
    [Fact]
    public void The_signer_signs_like_botocore()
    {
        // Expected value computed with botocore's SigV4Auth for the same request, key and time.
        var signer = new SigV4Signer("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "ebs",
            new FixedTime(new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero)));
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:8750/snapshots/snap-0123456789abcdef0/blocks/7?b=x%2By&a=1")
        {
            Content = new ByteArrayContent([]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add("x-amz-Checksum", "M6FQvOsTwamSIx5ltPrRaBUhL8Bs20CJltMu6yzvnrs=");
        request.Headers.Add("x-amz-Checksum-Algorithm", "SHA256");

        signer.Sign(request, SigV4Signer.UnsignedPayload);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ebs/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-checksum;x-amz-checksum-algorithm;x-amz-content-sha256;x-amz-date, " +
            "Signature=dc9ac5e90b0f731ee8bd5c105f6c78fa4e18931ad2c7dd71b853a9516e6568e8",
            request.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public async Task Server_errors_throttling_and_broken_connections_are_retried_until_one_attempt_succeeds()
    {
        await using var server = await TestServer.StartAsync();
        var faults = new FaultInjector(
            _ => Answer(HttpStatusCode.ServiceUnavailable, "InternalServerException"),
            _ => Answer(HttpStatusCode.BadRequest, "RequestThrottledException"),
            _ => throw new HttpRequestException("connection reset"));
        using var ebs = server.Ebs(handler: faults, maxAttempts: 4);

        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });

        Assert.Equal(4, faults.Attempts);
        Assert.Single(await server.Catalog().ListAsync(TestServer.Alice.Id));
        Assert.Equal("pending", snapshot.Status);
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        await using var server = await TestServer.StartAsync();
        var faults = new FaultInjector();
        using var ebs = server.Ebs(handler: faults, maxAttempts: 4);

        var e = await Assert.ThrowsAsync<EbsServiceException>(() => ebs.PutSnapshotBlockAsync("snap-0000000000000000f", 0, Filled(1)));

        Assert.Equal("ResourceNotFoundException", e.ErrorType);
        Assert.Equal(1, faults.Attempts);
    }

    [Fact]
    public async Task An_attempt_that_hangs_is_abandoned_after_its_timeout_and_retried()
    {
        await using var server = await TestServer.StartAsync();
        var faults = new FaultInjector(async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        using var ebs = new EbsClient(new EbsClientOptions
        {
            Endpoint = server.Endpoint,
            Credentials = new BasicAWSCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey),
            Region = server.Region,
            Retry = new RetryOptions { AttemptTimeoutSeconds = 2, MaxAttempts = 2 },
        }, faults);

        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });

        Assert.Equal(2, faults.Attempts);
        Assert.NotNull(await server.Catalog().GetAsync(snapshot.SnapshotId));
    }

    private static Task<HttpResponseMessage> Answer(HttpStatusCode status, string type)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent($$"""{"__type":"{{type}}","Message":"injected"}""") };
        response.Headers.Add("x-amzn-ErrorType", type);
        return Task.FromResult(response);
    }

    /// <summary>Answers the first attempts with the given faults, then lets requests through to the real server.</summary>
    private sealed class FaultInjector(params Func<CancellationToken, Task<HttpResponseMessage>>[] faults) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _attempts;

        public int Attempts => _attempts;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var attempt = Interlocked.Increment(ref _attempts);
            return attempt <= faults.Length ? faults[attempt - 1](cancellationToken) : base.SendAsync(request, cancellationToken);
        }
    }
}
