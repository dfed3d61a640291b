using System.Diagnostics;
using System.Text;
using AmiVault.Client;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.External;
using AmiVault.Resilience;
using AmiVault.Tests.Ebs;
using AmiVault.Tests.Faults;
using AmiVault.Tests.Support;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace AmiVault.Tests.Resilience;

/// <summary>
/// The one retry policy of outbound calls, seen from the wire: our EBS client and the external S3 store (AWS SDK)
/// talk to a real AmiVault server through a <see cref="FaultProxy"/> that answers chosen requests itself with an
/// error, a reset or silence, and records when each attempt arrived and who signed it.
/// </summary>
public sealed class ResiliencePolicyTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private FaultProxy _proxy = null!;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("amivault-retry-");

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _proxy = await FaultProxy.StartAsync(_server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Ebs_throttling_server_errors_and_a_reset_connection_are_retried_until_an_attempt_succeeds()
    {
        _proxy.Inject(FaultKind.SlowDown);
        _proxy.Inject(FaultKind.ServerError);
        _proxy.Inject(FaultKind.ResetMidBody);
        using var ebs = Ebs(new RetryOptions { MaxAttempts = 4, BaseDelaySeconds = 0.05, MaxDelaySeconds = 0.2 });

        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });

        Assert.Equal(4, _proxy.Requests.Count);
        Assert.Single(_proxy.Requests, r => r.ReachedServer);
        Assert.NotNull(await _server.Catalog().GetAsync(snapshot.SnapshotId));
    }

    [Theory]
    [InlineData(400, "ValidationException")]
    [InlineData(403, "AccessDeniedException")]
    [InlineData(404, "ResourceNotFoundException")]
    [InlineData(409, "ConflictException")]
    public async Task An_ebs_client_error_is_not_retried(int status, string type)
    {
        _proxy.Answer = (status, type, "Refused by the test.");
        _proxy.Inject(FaultKind.Answer, 1000);
        using var ebs = Ebs(new RetryOptions { MaxAttempts = 4, BaseDelaySeconds = 0.01 });

        var e = await Assert.ThrowsAsync<EbsServiceException>(() => ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 }));

        Assert.Equal(type, e.ErrorType);
        Assert.Single(_proxy.Requests);
    }

    [Fact]
    public async Task Ebs_honours_retry_after_when_it_is_longer_than_the_backoff()
    {
        _proxy.RetryAfter = TimeSpan.FromSeconds(2);
        _proxy.Inject(FaultKind.SlowDown);
        using var ebs = Ebs(new RetryOptions { MaxAttempts = 2, BaseDelaySeconds = 0.01, MaxDelaySeconds = 0.01 });

        await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });

        var arrivals = _proxy.Requests.ToArray();
        Assert.Equal(2, arrivals.Length);
        Assert.True(arrivals[1].Arrived - arrivals[0].Arrived >= TimeSpan.FromSeconds(1.9), $"The retry came {arrivals[1].Arrived - arrivals[0].Arrived} after a Retry-After of 2 s.");
    }

    [Fact]
    public async Task The_deadline_ends_a_call_that_keeps_failing_however_many_attempts_are_left()
    {
        _proxy.Inject(FaultKind.SlowDown, 1000);
        using var ebs = Ebs(new RetryOptions { MaxAttempts = 100, BaseDelaySeconds = 0.2, MaxDelaySeconds = 0.4, DeadlineSeconds = 2 });

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<EbsServiceException>(() => ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 }));

        var arrivals = _proxy.Requests.ToArray();
        Assert.InRange(arrivals.Length, 3, 99);
        Assert.True(arrivals[^1].Arrived - arrivals[0].Arrived < TimeSpan.FromSeconds(2.5), $"An attempt started {arrivals[^1].Arrived - arrivals[0].Arrived} after the first; the deadline is 2 s.");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The call took {clock.Elapsed}.");
    }

    [Fact]
    public async Task A_retry_after_beyond_the_deadline_ends_the_call_at_once()
    {
        _proxy.RetryAfter = TimeSpan.FromSeconds(60);
        _proxy.Inject(FaultKind.SlowDown, 1000);
        using var ebs = Ebs(new RetryOptions { MaxAttempts = 4, DeadlineSeconds = 10 });

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<EbsServiceException>(() => ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 }));

        Assert.Single(_proxy.Requests);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"The call took {clock.Elapsed}.");
    }

    [Fact]
    public async Task An_attempt_that_gets_no_answer_is_abandoned_at_its_timeout_and_the_call_ends_in_a_timeout()
    {
        _proxy.Inject(FaultKind.Stall, 1000);
        using var ebs = Ebs(new RetryOptions { MaxAttempts = 3, AttemptTimeoutSeconds = 0.5, BaseDelaySeconds = 0.01 });

        var e = await Assert.ThrowsAsync<TimeoutException>(() => ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 }));

        Assert.Equal(3, _proxy.Requests.Count);
        Assert.Contains("attempt 3 of 3", e.Message);
    }

    [Fact]
    public async Task Keys_rotated_in_the_credentials_file_are_used_from_the_next_request_on()
    {
        var file = WriteCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);
        using var ebs = Ebs(new RetryOptions { MaxAttempts = 1 }, FileCredentials(file));

        await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });
        WriteCredentials(TestServer.Bob.AccessKeyId, TestServer.Bob.SecretAccessKey);
        var bobs = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });

        var arrivals = _proxy.Requests.ToArray();
        Assert.Contains($"Credential={TestServer.Alice.AccessKeyId}/", arrivals[0].Authorization);
        Assert.Contains($"Credential={TestServer.Bob.AccessKeyId}/", arrivals[1].Authorization);
        Assert.Equal(TestServer.Bob.Id, bobs.OwnerId);
    }

    [Fact]
    public async Task The_sdk_signs_with_keys_rotated_in_the_credentials_file_from_the_next_request_on()
    {
        var file = WriteCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);
        using var s3 = S3(new RetryOptions { MaxAttempts = 1 }, FileCredentials(file));

        await s3.Store.ListBucketsAsync();
        WriteCredentials(TestServer.Bob.AccessKeyId, TestServer.Bob.SecretAccessKey);
        await s3.Store.ListBucketsAsync();

        var arrivals = _proxy.Requests.ToArray();
        Assert.Contains($"Credential={TestServer.Alice.AccessKeyId}/", arrivals[0].Authorization);
        Assert.Contains($"Credential={TestServer.Bob.AccessKeyId}/", arrivals[1].Authorization);
    }

    [Fact]
    public async Task Expired_credentials_are_reloaded_and_the_request_repeated_once_only_when_they_changed()
    {
        var file = WriteCredentials("AKIAEXPIREDEXPIRED00", "expired-secret");
        _proxy.Answer = (403, "ExpiredTokenException", "The security token included in the request is expired.");
        _proxy.Inject(FaultKind.Answer, 1000, r =>
        {
            if (!r.Headers.Authorization.ToString().Contains("Credential=AKIAEXPIREDEXPIRED00/", StringComparison.Ordinal))
            {
                return false;
            }

            // Whatever renews the keys (a credential helper, an operator) has just rewritten the file.
            WriteCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey);
            return true;
        });
        using var ebs = Ebs(new RetryOptions { MaxAttempts = 1 }, FileCredentials(file));

        var snapshot = await ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 });

        Assert.Equal(2, _proxy.Requests.Count);
        Assert.Equal(TestServer.Alice.Id, snapshot.OwnerId);

        // Refused again while the file stays the same: nothing new to try, so the error is the caller's.
        _proxy.Reset();
        _proxy.Inject(FaultKind.Answer, 1000);
        var e = await Assert.ThrowsAsync<EbsServiceException>(() => ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 }));
        Assert.Equal("ExpiredTokenException", e.ErrorType);
        Assert.Single(_proxy.Requests);
    }

    [Fact]
    public async Task S3_through_the_sdk_a_put_cut_off_is_sent_again_whole_and_a_listing_that_failed_is_repeated()
    {
        using var s3 = S3(new RetryOptions { MaxAttempts = 3, BaseDelaySeconds = 0.05 });
        await s3.Store.CreateBucketAsync("retried");
        var data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("retried bytes ", 5000)));
        _proxy.Inject(FaultKind.ResetMidBody, 1, r => r.Method == "PUT");
        _proxy.Inject(FaultKind.ServerError, 1, r => r.Method == "GET");

        await s3.Store.PutObjectAsync("retried", "object", new MemoryStream(data), data.Length, ObjectWriteOptions.Default);
        var listing = await s3.Store.ListObjectsAsync("retried", new ListObjectsQuery());

        Assert.Equal(2, _proxy.Requests.Count(a => a.Method == "PUT" && a.PathAndQuery.StartsWith("/retried/object", StringComparison.Ordinal)));
        Assert.Equal(2, _proxy.Requests.Count(a => a.Method == "GET" && a.PathAndQuery.Contains("list-type=2", StringComparison.Ordinal)));
        Assert.Equal("object", Assert.Single(listing.Objects).Key);
        await using var content = await s3.Store.GetObjectAsync("retried", "object", new ObjectReadOptions());
        var read = new MemoryStream();
        await content.Body.CopyToAsync(read);
        Assert.Equal(data, read.ToArray());
    }

    [Theory]
    [InlineData(403, "AccessDenied")]
    [InlineData(400, "InvalidArgument")]
    public async Task S3_through_the_sdk_a_client_error_is_not_retried(int status, string code)
    {
        using var s3 = S3(new RetryOptions { MaxAttempts = 4, BaseDelaySeconds = 0.01 });
        _proxy.Answer = (status, code, "Refused by the test.");
        _proxy.Inject(FaultKind.Answer, 1000);

        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => s3.Store.ListObjectsAsync("anything", new ListObjectsQuery()));

        Assert.Equal(code, e.Code);
        Assert.Single(_proxy.Requests);
    }

    [Fact]
    public async Task S3_through_the_sdk_honours_retry_after_of_a_slow_down()
    {
        using var s3 = S3(new RetryOptions { MaxAttempts = 2, BaseDelaySeconds = 0.01, MaxDelaySeconds = 0.01 });
        await s3.Store.CreateBucketAsync("slow");
        _proxy.Reset();
        _proxy.RetryAfter = TimeSpan.FromSeconds(2);
        _proxy.Inject(FaultKind.SlowDown);

        await s3.Store.HeadBucketAsync("slow");

        var arrivals = _proxy.Requests.ToArray();
        Assert.Equal(2, arrivals.Length);
        Assert.True(arrivals[1].Arrived - arrivals[0].Arrived >= TimeSpan.FromSeconds(1.9), $"The retry came {arrivals[1].Arrived - arrivals[0].Arrived} after a Retry-After of 2 s.");
    }

    [Fact]
    public async Task A_store_call_inside_another_policys_attempt_is_made_once_per_outer_attempt()
    {
        using var s3 = S3(new RetryOptions { MaxAttempts = 4, BaseDelaySeconds = 0.01 });
        _proxy.Inject(FaultKind.SlowDown, 1000);
        var outer = new ResiliencePolicy(new RetryOptions { MaxAttempts = 2, BaseDelaySeconds = 0.01 });

        await Assert.ThrowsAsync<ObjectStoreException>(() => outer.ExecuteAsync("copy step", t => s3.Store.HeadObjectAsync("bucket", "key", t)));

        Assert.Equal(2, _proxy.Requests.Count);
    }

    [Fact]
    public void Backoff_is_full_jitter_below_an_exponential_ceiling()
    {
        var policy = new ResiliencePolicy(new RetryOptions { BaseDelaySeconds = 0.1, MaxDelaySeconds = 1 });
        foreach (var (attempt, ceiling) in new[] { (1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (5, 1.0), (9, 1.0) })
        {
            var delays = Enumerable.Range(0, 2000).Select(_ => policy.Backoff(attempt).TotalSeconds).ToList();
            Assert.All(delays, d => Assert.InRange(d, 0, ceiling));
            Assert.Contains(delays, d => d < ceiling * 0.1);
            Assert.Contains(delays, d => d > ceiling * 0.9);
        }
    }

    [Theory]
    [InlineData(503, "SlowDown", "Transient")]
    [InlineData(500, "InternalError", "Transient")]
    [InlineData(429, "TooManyRequestsException", "Transient")]
    [InlineData(400, "ThrottlingException", "Transient")]
    [InlineData(400, "RequestTimeout", "Transient")]
    [InlineData(400, "BadDigest", "Transient")]
    [InlineData(501, "NotImplemented", "Permanent")]
    [InlineData(400, "InvalidArgument", "Permanent")]
    [InlineData(404, "NoSuchKey", "Permanent")]
    [InlineData(412, "PreconditionFailed", "Permanent")]
    [InlineData(400, "ExpiredToken", "CredentialsExpired")]
    [InlineData(403, "InvalidAccessKeyId", "CredentialsExpired")]
    public void Failures_are_classified_by_status_and_code(int status, string code, string kind) =>
        Assert.Equal(Enum.Parse<FailureKind>(kind), TransientFailures.Classify(new ObjectStoreException(code, "x", status)));

    private EbsClient Ebs(RetryOptions retry, AWSCredentials? credentials = null) => new(new EbsClientOptions
    {
        Endpoint = _proxy.Endpoint,
        Credentials = credentials ?? new BasicAWSCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey),
        Region = _server.Region,
        Retry = retry,
    });

    private S3Side S3(RetryOptions retry, AWSCredentials? credentials = null)
    {
        var client = ExternalS3Clients.Create(
            credentials ?? new BasicAWSCredentials(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey), _server.Region, _proxy.EndpointUrl);
        return new S3Side(client, new ExternalObjectStore(client, _server.Region, new(), new ResiliencePolicy(retry) { Target = _proxy.EndpointUrl }));
    }

    private string WriteCredentials(string accessKeyId, string secret)
    {
        var path = Path.Combine(_folder.FullName, "credentials");
        var temporary = path + ".new";
        File.WriteAllText(temporary, $"[default]\naws_access_key_id = {accessKeyId}\naws_secret_access_key = {secret}\n");
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static ReloadingCredentials FileCredentials(string file) => new(
        [file],
        () => new CredentialProfileStoreChain(file).TryGetAWSCredentials("default", out var credentials) ? credentials : throw new InvalidOperationException("No default profile."));

    private sealed class S3Side(Amazon.S3.AmazonS3Client client, IObjectStore store) : IDisposable
    {
        public IObjectStore Store { get; } = store;

        public void Dispose() => client.Dispose();
    }
}
