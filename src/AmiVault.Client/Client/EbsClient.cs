using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using AmiVault.Ebs;
using AmiVault.IO;

namespace AmiVault.Client;

/// <summary>
/// A client of the EBS direct APIs (ours or AWS's) on plain HttpClient with our SigV4 signer. Every call gets a
/// per-attempt timeout and the one retry layer (server errors, throttling, broken connections, timeouts, a block
/// whose checksum does not match), with exponential backoff. One instance serves many concurrent calls.
/// </summary>
internal sealed class EbsClient : IDisposable
{
    private const int MaxErrorBody = 64 * 1024;
    private const int MaxListBody = 4 * 1024 * 1024;
    private const int ListPageSize = 10000;

    private readonly EbsClientOptions _options;
    private readonly HttpClient _http;
    private readonly SigV4Signer _signer;
    private readonly string _base;

    public EbsClient(EbsClientOptions options, HttpMessageHandler? handler = null)
    {
        _options = options;
        _signer = new SigV4Signer(options.AccessKeyId, options.SecretAccessKey, options.Region, "ebs", sessionToken: options.SessionToken);
        _base = options.Endpoint.ToString().TrimEnd('/');
        handler ??= new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.MaxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.AttemptTimeout,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<EbsSnapshot> StartSnapshotAsync(StartSnapshotRequest request, CancellationToken cancellationToken = default)
    {
        var body = StartSnapshotBody(request with { ClientToken = request.ClientToken ?? Guid.NewGuid().ToString() });
        using var json = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, $"{_base}/snapshots") { Content = JsonContent(body) },
            SigV4Signer.HashPayload(body),
            ReadJsonAsync,
            cancellationToken);
        var root = json.RootElement;
        return new EbsSnapshot(
            String(root, "SnapshotId") ?? throw new InvalidDataException("StartSnapshot answered without a SnapshotId."),
            String(root, "OwnerId") ?? "",
            String(root, "Status") ?? "",
            Time(root, "StartTime"),
            Number(root, "VolumeSize"),
            (int)Number(root, "BlockSize"),
            root.TryGetProperty("Tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? [.. tags.EnumerateArray().Select(t => KeyValuePair.Create(String(t, "Key") ?? "", String(t, "Value") ?? ""))]
                : [],
            String(root, "Description"),
            String(root, "ParentSnapshotId"),
            String(root, "KmsKeyArn"),
            String(root, "SseType"));
    }

    /// <summary>Writes one 512 KiB block; returns the server's base64 SHA-256 of it. <paramref name="checksum"/> is computed when not given.</summary>
    public Task<string> PutSnapshotBlockAsync(
        string snapshotId, int blockIndex, ReadOnlyMemory<byte> data, string? checksum = null, int? progress = null, CancellationToken cancellationToken = default)
    {
        checksum ??= Convert.ToBase64String(SHA256.HashData(data.Span));
        return SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, $"{_base}/snapshots/{Uri.EscapeDataString(snapshotId)}/blocks/{blockIndex.ToString(CultureInfo.InvariantCulture)}")
                {
                    Content = new ReadOnlyMemoryContent(data),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                request.Headers.TryAddWithoutValidation("x-amz-Data-Length", data.Length.ToString(CultureInfo.InvariantCulture));
                request.Headers.TryAddWithoutValidation("x-amz-Checksum", checksum);
                request.Headers.TryAddWithoutValidation("x-amz-Checksum-Algorithm", "SHA256");
                if (progress is { } p)
                {
                    request.Headers.TryAddWithoutValidation("x-amz-Progress", p.ToString(CultureInfo.InvariantCulture));
                }

                return request;
            },
            SigV4Signer.UnsignedPayload,
            (response, _) => Task.FromResult(Header(response, "x-amz-Checksum") ?? checksum),
            cancellationToken);
    }

    /// <summary>Seals a snapshot; returns the Status answered (AWS says "pending" while it seals).</summary>
    public async Task<string> CompleteSnapshotAsync(string snapshotId, int changedBlocksCount, string? linearChecksum = null, CancellationToken cancellationToken = default)
    {
        using var json = await SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, $"{_base}/snapshots/completion/{Uri.EscapeDataString(snapshotId)}");
                request.Headers.TryAddWithoutValidation("x-amz-ChangedBlocksCount", changedBlocksCount.ToString(CultureInfo.InvariantCulture));
                if (linearChecksum is not null)
                {
                    request.Headers.TryAddWithoutValidation("x-amz-Checksum", linearChecksum);
                    request.Headers.TryAddWithoutValidation("x-amz-Checksum-Algorithm", "SHA256");
                    request.Headers.TryAddWithoutValidation("x-amz-Checksum-Aggregation-Method", "LINEAR");
                }

                return request;
            },
            SigV4Signer.EmptyPayloadHash,
            ReadJsonAsync,
            cancellationToken);
        return String(json.RootElement, "Status") ?? "";
    }

    public async Task<EbsPage<ListedBlock>> ListSnapshotBlocksPageAsync(
        string snapshotId, int? startingBlockIndex = null, string? nextToken = null, int? maxResults = null, CancellationToken cancellationToken = default)
    {
        using var json = await GetJsonAsync($"/snapshots/{Uri.EscapeDataString(snapshotId)}/blocks",
            [("maxResults", maxResults), ("pageToken", nextToken), ("startingBlockIndex", startingBlockIndex)], cancellationToken);
        return Page(json.RootElement, "Blocks", b => new ListedBlock((int)Number(b, "BlockIndex"), String(b, "BlockToken") ?? ""));
    }

    /// <summary>Every block of a snapshot, page after page (10,000 a page).</summary>
    public IAsyncEnumerable<ListedBlock> ListSnapshotBlocksAsync(string snapshotId, int startingBlockIndex = 0, CancellationToken cancellationToken = default) =>
        AllPagesAsync(next => ListSnapshotBlocksPageAsync(snapshotId, next is null ? startingBlockIndex : null, next, ListPageSize, cancellationToken), cancellationToken);

    public async Task<EbsPage<ChangedBlock>> ListChangedBlocksPageAsync(
        string secondSnapshotId, string? firstSnapshotId = null, int? startingBlockIndex = null, string? nextToken = null, int? maxResults = null,
        CancellationToken cancellationToken = default)
    {
        using var json = await GetJsonAsync($"/snapshots/{Uri.EscapeDataString(secondSnapshotId)}/changedblocks",
            [("firstSnapshotId", firstSnapshotId), ("maxResults", maxResults), ("pageToken", nextToken), ("startingBlockIndex", startingBlockIndex)], cancellationToken);
        return Page(json.RootElement, "ChangedBlocks", b => new ChangedBlock((int)Number(b, "BlockIndex"), String(b, "FirstBlockToken"), String(b, "SecondBlockToken")));
    }

    /// <summary>Every changed block between two snapshots (or every block of the second), page after page.</summary>
    public IAsyncEnumerable<ChangedBlock> ListChangedBlocksAsync(
        string secondSnapshotId, string? firstSnapshotId = null, int startingBlockIndex = 0, CancellationToken cancellationToken = default) =>
        AllPagesAsync(
            next => ListChangedBlocksPageAsync(secondSnapshotId, firstSnapshotId, next is null ? startingBlockIndex : null, next, ListPageSize, cancellationToken),
            cancellationToken);

    /// <summary>
    /// Reads one block into <paramref name="destination"/> (at least 512 KiB) and checks it against the answer's
    /// x-amz-Checksum (a mismatch is retried like a broken connection); returns that base64 SHA-256.
    /// </summary>
    public Task<string> GetSnapshotBlockAsync(string snapshotId, int blockIndex, string blockToken, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length < EbsBlock.Size)
        {
            throw new ArgumentException($"The destination must hold {EbsBlock.Size} bytes.", nameof(destination));
        }

        var block = destination[..EbsBlock.Size];
        return SendAsync(
            () => new HttpRequestMessage(HttpMethod.Get,
                $"{_base}/snapshots/{Uri.EscapeDataString(snapshotId)}/blocks/{blockIndex.ToString(CultureInfo.InvariantCulture)}?blockToken={Uri.EscapeDataString(blockToken)}"),
            SigV4Signer.EmptyPayloadHash,
            async (response, token) =>
            {
                var checksum = Header(response, "x-amz-Checksum") ?? throw new InvalidDataException("GetSnapshotBlock answered without x-amz-Checksum.");
                await using var body = await response.Content.ReadAsStreamAsync(token);
                var length = await BoundedBody.ReadAsync(body, block, token);
                if (length != EbsBlock.Size)
                {
                    throw new InvalidDataException($"GetSnapshotBlock answered {(length < 0 ? "more than a block" : $"{length} bytes")}, not {EbsBlock.Size}.");
                }

                if (Convert.ToBase64String(SHA256.HashData(block.Span)) != checksum)
                {
                    throw new InvalidDataException($"Block {blockIndex} of {snapshotId} does not match its x-amz-Checksum {checksum}.");
                }

                return checksum;
            },
            cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Follows NextToken to the end; pages may be short or even empty before the last.</summary>
    private static async IAsyncEnumerable<T> AllPagesAsync<T>(Func<string?, Task<EbsPage<T>>> page, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? next = null;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = await page(next);
            foreach (var item in current.Items)
            {
                yield return item;
            }

            next = current.NextToken;
        }
        while (next is not null);
    }

    private Task<JsonDocument> GetJsonAsync(string path, (string Name, object? Value)[] query, CancellationToken cancellationToken)
    {
        var url = new StringBuilder(_base).Append(path);
        var separator = '?';
        foreach (var (name, value) in query.Where(q => q.Value is not null))
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture)!;
            url.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(text));
            separator = '&';
        }

        return SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url.ToString()), SigV4Signer.EmptyPayloadHash, ReadJsonAsync, cancellationToken);
    }

    /// <summary>The retry layer: one attempt after another, each signed anew and bounded by the attempt timeout.</summary>
    private async Task<T> SendAsync<T>(
        Func<HttpRequestMessage> build, string payloadHash, Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptToken.CancelAfter(_options.AttemptTimeout);
            Exception failure;
            using var request = build();
            try
            {
                _signer.Sign(request, payloadHash);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptToken.Token);
                if (response.IsSuccessStatusCode)
                {
                    return await read(response, attemptToken.Token);
                }

                var error = await ReadErrorAsync(response, attemptToken.Token);
                if (!error.IsRetryable || attempt >= _options.MaxAttempts)
                {
                    throw error;
                }

                failure = error;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken) && attempt < _options.MaxAttempts)
            {
                failure = e;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{request.Method} {request.RequestUri?.AbsolutePath} got no answer within {_options.AttemptTimeout} in each of {attempt} attempts.");
            }

            var delay = Backoff(attempt);
            _options.Logger?.LogWarning("EBS {Method} {Path} attempt {Attempt} failed ({Failure}); retrying in {Delay} ms",
                request.Method, request.RequestUri?.AbsolutePath, attempt, failure.Message, (int)delay.TotalMilliseconds);
            await Task.Delay(delay, cancellationToken);
        }
    }

    private static bool IsTransient(Exception e, CancellationToken caller) =>
        e is HttpRequestException or IOException or InvalidDataException || (e is OperationCanceledException && !caller.IsCancellationRequested);

    /// <summary>Exponential, with jitter in its upper half so retries of many concurrent calls spread out.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_options.BaseBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1), _options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private static async Task<EbsServiceException> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var type = Header(response, "x-amzn-ErrorType")?.Split(':')[0];
        string? message = null, reason = null;
        var buffer = ArrayPool<byte>.Shared.Rent(MaxErrorBody);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var length = await BoundedBody.ReadAsync(body, buffer.AsMemory(0, MaxErrorBody), cancellationToken);
            if (length > 0)
            {
                using var json = JsonDocument.Parse(buffer.AsMemory(0, length));
                type ??= String(json.RootElement, "__type")?.Split('#')[^1] ?? String(json.RootElement, "code");
                message = String(json.RootElement, "Message") ?? String(json.RootElement, "message");
                reason = String(json.RootElement, "Reason");
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page, say): the status alone has to do.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new EbsServiceException(response.StatusCode, type ?? $"Http{(int)response.StatusCode}", reason, message ?? response.ReasonPhrase ?? "", Header(response, "x-amzn-RequestId"));
    }

    private static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxListBody);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var length = await BoundedBody.ReadAsync(body, buffer.AsMemory(0, MaxListBody), cancellationToken);
            if (length < 0)
            {
                throw new InvalidDataException($"The answer is larger than {MaxListBody} bytes.");
            }

            return JsonDocument.Parse(buffer.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static EbsPage<T> Page<T>(JsonElement root, string listName, Func<JsonElement, T> item) =>
        new(root.TryGetProperty(listName, out var list) && list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray().Select(item)] : [],
            Time(root, "ExpiryTime"),
            Number(root, "VolumeSize"),
            (int)Number(root, "BlockSize"),
            String(root, "NextToken"));

    private static byte[] StartSnapshotBody(StartSnapshotRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("VolumeSize", request.VolumeSizeGib);
            if (request.ParentSnapshotId is not null)
            {
                json.WriteString("ParentSnapshotId", request.ParentSnapshotId);
            }

            if (request.Tags.Count > 0)
            {
                json.WriteStartArray("Tags");
                foreach (var (key, value) in request.Tags)
                {
                    json.WriteStartObject();
                    json.WriteString("Key", key);
                    json.WriteString("Value", value);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            if (request.Description is not null)
            {
                json.WriteString("Description", request.Description);
            }

            json.WriteString("ClientToken", request.ClientToken);
            if (request.Encrypted is { } encrypted)
            {
                json.WriteBoolean("Encrypted", encrypted);
            }

            if (request.KmsKeyArn is not null)
            {
                json.WriteString("KmsKeyArn", request.KmsKeyArn);
            }

            if (request.TimeoutMinutes is { } timeout)
            {
                json.WriteNumber("Timeout", timeout);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static ByteArrayContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? (long)value.GetDouble() : 0;

    /// <summary>EBS sends timestamps as epoch seconds, possibly fractional or in exponent form.</summary>
    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(value.GetDouble() * 1000))
            : null;
}
