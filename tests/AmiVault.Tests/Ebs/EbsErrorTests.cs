using System.Net;
using AmiVault.Blocks;
using AmiVault.Client;
using AmiVault.Protocols.Ebs;
using AmiVault.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static AmiVault.Tests.Ebs.EbsTestData;
using AmiVault.Ebs;

namespace AmiVault.Tests.Ebs;

/// <summary>Each refusal comes with the EBS model's error, and leaves the catalog and the block store as they were.</summary>
public sealed class EbsErrorTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private EbsClient _ebs = null!;
    private string _pending = null!;
    private string _completed = null!;
    private ListedBlock _completedBlock = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _ebs = _server.Ebs();
        _completed = (await _ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId;
        await _ebs.PutSnapshotBlockAsync(_completed, 2, Filled(7));
        await _ebs.CompleteSnapshotAsync(_completed, 1);
        _completedBlock = (await _ebs.ListSnapshotBlocksAsync(_completed).ToListAsync()).Single();
        _pending = (await _ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId;
        await _ebs.PutSnapshotBlockAsync(_pending, 0, Filled(9));
    }

    public async Task DisposeAsync()
    {
        _ebs.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public Task A_block_of_the_wrong_size_is_refused_and_nothing_is_stored() =>
        RefusedAsync(() => _ebs.PutSnapshotBlockAsync(_pending, 1, new byte[1000]), HttpStatusCode.BadRequest, "ValidationException", "INVALID_BLOCK");

    [Fact]
    public Task A_block_whose_data_does_not_match_its_checksum_is_refused_and_nothing_is_stored() =>
        RefusedAsync(() => _ebs.PutSnapshotBlockAsync(_pending, 1, Filled(1), checksum: Checksum(Filled(2))), HttpStatusCode.BadRequest, "ValidationException", "INVALID_BLOCK");

    [Fact]
    public Task A_block_index_beyond_the_volume_is_refused() =>
        RefusedAsync(() => _ebs.PutSnapshotBlockAsync(_pending, 2048, Filled(1)), HttpStatusCode.BadRequest, "ValidationException", "INVALID_BLOCK");

    [Fact]
    public Task A_progress_above_100_is_refused() =>
        RefusedAsync(() => _ebs.PutSnapshotBlockAsync(_pending, 1, Filled(1), progress: 101), HttpStatusCode.BadRequest, "ValidationException", "INVALID_PARAMETER_VALUE");

    [Fact]
    public Task A_write_to_a_completed_snapshot_is_refused() =>
        RefusedAsync(() => _ebs.PutSnapshotBlockAsync(_completed, 2, Filled(1)), HttpStatusCode.BadRequest, "ValidationException", "INVALID_SNAPSHOT_ID");

    [Fact]
    public async Task A_wrong_ChangedBlocksCount_is_refused_and_the_snapshot_stays_pending()
    {
        await RefusedAsync(() => _ebs.CompleteSnapshotAsync(_pending, 2), HttpStatusCode.BadRequest, "ValidationException", "INVALID_PARAMETER_VALUE");

        await _ebs.CompleteSnapshotAsync(_pending, 1);
        Assert.Equal("completed", (await _server.Catalog().GetAsync(_pending))!.Status);
    }

    [Fact]
    public async Task A_wrong_LINEAR_checksum_puts_the_snapshot_in_error_with_a_reason()
    {
        Assert.Equal("pending", await _ebs.CompleteSnapshotAsync(_pending, 1, Linear([(0, Filled(8))])));

        var snapshot = (await _server.Catalog().GetAsync(_pending))!;
        Assert.Equal("error", snapshot.Status);
        Assert.Contains("LINEAR checksum", snapshot.StateMessage, StringComparison.Ordinal);
        await RefusedAsync(() => _ebs.PutSnapshotBlockAsync(_pending, 1, Filled(1)), HttpStatusCode.BadRequest, "ValidationException", "INVALID_SNAPSHOT_ID");
    }

    [Fact]
    public async Task Reusing_a_client_token_with_other_parameters_is_a_conflict()
    {
        await _ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, ClientToken = "token-1" });
        await RefusedAsync(() => _ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 2, ClientToken = "token-1" }),
            HttpStatusCode.Conflict, "ConflictException", null);
    }

    [Theory]
    [InlineData(0, null, null)]
    [InlineData(65537, null, null)]
    [InlineData(1, 9, null)]
    [InlineData(1, 4321, null)]
    [InlineData(1, null, "arn:aws:kms:us-east-1:111111111111:alias/mine")]
    public async Task StartSnapshot_parameters_outside_the_model_are_refused(long volumeSize, int? timeout, string? kmsKeyArn)
    {
        var before = await _server.StateAsync();
        var e = await Assert.ThrowsAsync<EbsServiceException>(() =>
            _ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = volumeSize, TimeoutMinutes = timeout, KmsKeyArn = kmsKeyArn }));
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException"), (e.StatusCode, e.ErrorType));
        Assert.NotNull(e.Reason);
        Assert.Equal(before, await _server.StateAsync());
    }

    [Fact]
    public Task Encrypted_together_with_a_parent_is_refused() =>
        RefusedAsync(() => _ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, ParentSnapshotId = _completed, Encrypted = true }),
            HttpStatusCode.BadRequest, "ValidationException", "INVALID_PARAMETER_VALUE");

    [Fact]
    public async Task Another_accounts_snapshot_is_answered_exactly_like_one_that_does_not_exist()
    {
        using var bob = _server.Ebs(TestServer.Bob);
        var block = Filled(3);
        Func<string, Task>[] calls =
        [
            id => bob.PutSnapshotBlockAsync(id, 1, block),
            id => bob.CompleteSnapshotAsync(id, 1),
            id => bob.ListSnapshotBlocksPageAsync(id),
            id => bob.ListChangedBlocksPageAsync(id),
            id => bob.GetSnapshotBlockAsync(id, 2, _completedBlock.BlockToken, new byte[IBlockStore.BlockSize]),
            id => bob.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1, ParentSnapshotId = id }),
        ];
        foreach (var call in calls)
        {
            foreach (var id in new[] { _pending, _completed })
            {
                var hidden = await RefusedAsync(() => call(id), HttpStatusCode.NotFound, "ResourceNotFoundException", "SNAPSHOT_NOT_FOUND");
                var missing = await RefusedAsync(() => call("snap-0000000000000000f"), HttpStatusCode.NotFound, "ResourceNotFoundException", "SNAPSHOT_NOT_FOUND");
                Assert.Equal(missing.ServiceMessage.Replace("snap-0000000000000000f", id, StringComparison.Ordinal), hidden.ServiceMessage);
            }
        }

        var bobs = (await bob.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId;
        await RefusedAsync(() => _ebs.ListChangedBlocksPageAsync(_completed, firstSnapshotId: bobs), HttpStatusCode.NotFound, "ResourceNotFoundException", "SNAPSHOT_NOT_FOUND");
    }

    [Fact]
    public async Task Forged_foreign_and_expired_block_tokens_are_refused()
    {
        var buffer = new byte[IBlockStore.BlockSize];
        var tokens = _server.Server.Services.GetRequiredService<EbsTokens>();
        var hash = (await _server.Catalog().GetBlockAsync(_completed, 2))!.Hash;
        var expired = tokens.ForBlock(_completed, 2, hash, DateTimeOffset.UtcNow.AddSeconds(-5));
        var otherIndex = tokens.ForBlock(_completed, 3, hash, tokens.NewExpiry());
        var forged = Convert.ToBase64String(Convert.FromBase64String(_completedBlock.BlockToken).Select((b, i) => i == 20 ? (byte)(b ^ 1) : b).ToArray());

        foreach (var token in new[] { "AAAA", forged, expired, otherIndex, "not base64!" })
        {
            await RefusedAsync(() => _ebs.GetSnapshotBlockAsync(_completed, 2, token, buffer), HttpStatusCode.BadRequest, "ValidationException", "INVALID_BLOCK_TOKEN");
        }

        await RefusedAsync(() => _ebs.GetSnapshotBlockAsync(_completed, 3, _completedBlock.BlockToken, buffer), HttpStatusCode.BadRequest, "ValidationException", "INVALID_BLOCK_TOKEN");
        await _ebs.GetSnapshotBlockAsync(_completed, 2, _completedBlock.BlockToken, buffer);
        Assert.Equal(Filled(7), buffer);
    }

    [Fact]
    public async Task Forged_and_foreign_page_tokens_are_refused()
    {
        var other = (await _ebs.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 })).SnapshotId;
        for (var i = 0; i < 101; i++)
        {
            await _server.Catalog().PutBlockAsync(other, i, BlockHashes.Zero.ToArray());
        }

        await _ebs.CompleteSnapshotAsync(other, 101);
        var foreign = (await _ebs.ListSnapshotBlocksPageAsync(other, maxResults: 100)).NextToken!;

        await RefusedAsync(() => _ebs.ListSnapshotBlocksPageAsync(_completed, nextToken: foreign), HttpStatusCode.BadRequest, "ValidationException", "INVALID_PAGE_TOKEN");
        await RefusedAsync(() => _ebs.ListSnapshotBlocksPageAsync(_completed, nextToken: "Zm9yZ2Vk"), HttpStatusCode.BadRequest, "ValidationException", "INVALID_PAGE_TOKEN");
        await RefusedAsync(() => _ebs.ListChangedBlocksPageAsync(other, nextToken: foreign), HttpStatusCode.BadRequest, "ValidationException", "INVALID_PAGE_TOKEN");
        await RefusedAsync(() => _ebs.ListSnapshotBlocksPageAsync(_completed, maxResults: 99), HttpStatusCode.BadRequest, "ValidationException", "INVALID_PARAMETER_VALUE");
        Assert.Single((await _ebs.ListSnapshotBlocksPageAsync(other, nextToken: foreign)).Items);
    }

    [Fact]
    public Task Reading_a_pending_snapshot_is_refused() =>
        RefusedAsync(() => _ebs.ListSnapshotBlocksPageAsync(_pending), HttpStatusCode.BadRequest, "ValidationException", "INVALID_SNAPSHOT_ID");

    [Fact]
    public async Task A_request_signed_with_the_wrong_secret_is_AccessDenied()
    {
        using var wrong = _server.Ebs(secretOverride: "not-the-secret");
        await RefusedAsync(() => wrong.PutSnapshotBlockAsync(_pending, 1, Filled(1)), HttpStatusCode.Forbidden, "AccessDeniedException", "UNAUTHORIZED_ACCOUNT");
        await RefusedAsync(() => wrong.StartSnapshotAsync(new StartSnapshotRequest { VolumeSizeGib = 1 }), HttpStatusCode.Forbidden, "AccessDeniedException", "UNAUTHORIZED_ACCOUNT");
    }

    [Fact]
    public async Task An_unsigned_request_is_AccessDenied_in_the_EBS_error_format()
    {
        var before = await _server.StateAsync();
        using var http = new HttpClient();
        using var content = new ByteArrayContent(Filled(1));
        content.Headers.Add("x-amz-Data-Length", IBlockStore.BlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var response = await http.PutAsync($"{_server.EndpointUrl}/snapshots/{_pending}/blocks/1", content);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("AccessDeniedException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("AccessDeniedException", "UNAUTHORIZED_ACCOUNT"), (body.GetProperty("__type").GetString(), body.GetProperty("Reason").GetString()));
        Assert.Equal(before, await _server.StateAsync());
    }

    [Fact]
    public async Task A_body_that_does_not_match_its_signed_hash_is_a_ValidationException_and_nothing_is_stored()
    {
        var before = await _server.StateAsync();
        var block = Filled(4);
        var signer = new SigV4Signer(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey, _server.Region, "ebs");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{_server.EndpointUrl}/snapshots/{_pending}/blocks/1") { Content = new ByteArrayContent(block) };
        request.Headers.Add("x-amz-Data-Length", IBlockStore.BlockSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("x-amz-Checksum", Checksum(block));
        request.Headers.Add("x-amz-Checksum-Algorithm", "SHA256");
        signer.Sign(request, SigV4Signer.HashPayload(Filled(5)));
        using var http = new HttpClient();
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ValidationException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal(before, await _server.StateAsync());
    }

    [Fact]
    public async Task An_unknown_route_under_snapshots_is_a_JSON_error_not_a_crash()
    {
        var signer = new SigV4Signer(TestServer.Alice.AccessKeyId, TestServer.Alice.SecretAccessKey, _server.Region, "ebs");
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{_server.EndpointUrl}/snapshots/{_pending}");
        signer.Sign(request, SigV4Signer.EmptyPayloadHash);
        using var http = new HttpClient();
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("UnknownOperationException", response.Headers.GetValues("x-amzn-ErrorType").Single());
    }

    private async Task<EbsServiceException> RefusedAsync(Func<Task> call, HttpStatusCode status, string type, string? reason)
    {
        var before = await _server.StateAsync();
        var e = await Assert.ThrowsAsync<EbsServiceException>(call);
        Assert.Equal((status, type, reason), (e.StatusCode, e.ErrorType, e.Reason));
        Assert.False(string.IsNullOrEmpty(e.ServiceMessage));
        Assert.NotNull(e.RequestId);
        Assert.Equal(before, await _server.StateAsync());
        return e;
    }
}
