using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net.Sockets;
using System.Text;
using AmiVault.Tests.Support;
using Amazon.S3.Model;

namespace AmiVault.Tests.S3;

/// <summary>
/// Requests no well-behaved SDK sends, built by hand: each gets S3's error and leaves no partial object behind.
/// </summary>
public sealed class S3BadInputTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private RawS3Client _raw = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _raw = new RawS3Client(_server, TestServer.Alice);
        using var s3 = _server.S3();
        await s3.PutBucketAsync("raw");
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _server.DisposeAsync();
    }

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string Crc32(byte[] data)
    {
        var value = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(value, System.IO.Hashing.Crc32.HashToUInt32(data));
        return Convert.ToBase64String(value);
    }

    private async Task AssertNothingStoredAsync()
    {
        using var s3 = _server.S3();
        Assert.Empty((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "raw" })).S3Objects ?? []);
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(_server.DataDir, "buckets", "raw"), "*", SearchOption.AllDirectories), f => !f.EndsWith("bucket.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signed_chunks_with_a_signed_trailer_are_stored_without_their_framing()
    {
        var chunks = new[] { new byte[70_000], Bytes("tail") };
        Random.Shared.NextBytes(chunks[0]);
        var answer = await _raw.PutChunkedAsync("/raw/signed", chunks, signed: true, ("x-amz-checksum-crc32", Crc32([.. chunks[0], .. chunks[1]])));

        Assert.Equal(200, answer.Status);
        using var s3 = _server.S3();
        Assert.Equal(70_004, (await s3.GetObjectMetadataAsync("raw", "signed")).ContentLength);
    }

    [Fact]
    public async Task Unsigned_chunks_with_a_checksum_trailer_are_accepted_when_the_checksum_holds()
    {
        var data = Bytes("hello world");
        var answer = await _raw.PutChunkedAsync("/raw/unsigned", [data], signed: false, ("x-amz-checksum-crc32", "DUoRhQ=="));

        Assert.Equal(200, answer.Status);
        Assert.Equal("DUoRhQ==", answer.Response.Headers.GetValues("x-amz-checksum-crc32").Single());
    }

    [Fact]
    public async Task A_wrong_chunk_signature_is_SignatureDoesNotMatch_and_nothing_is_stored()
    {
        var answer = await _raw.PutChunkedAsync("/raw/k", [Bytes("hello world")], signed: true, trailer: null,
            tamper: body => Bytes(Encoding.ASCII.GetString(body).Replace("hello world", "HELLO WORLD", StringComparison.Ordinal)));

        Assert.Equal(403, answer.Status);
        Assert.Equal("SignatureDoesNotMatch", answer.Code);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_wrong_trailer_checksum_is_BadDigest_and_nothing_is_stored()
    {
        var answer = await _raw.PutChunkedAsync("/raw/k", [Bytes("hello world")], signed: false, ("x-amz-checksum-crc32", Crc32(Bytes("hello worle"))));

        Assert.Equal(400, answer.Status);
        Assert.Equal("BadDigest", answer.Code);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_chunked_body_shorter_than_its_decoded_length_is_IncompleteBody()
    {
        var answer = await _raw.PutChunkedAsync("/raw/k", [Bytes("hello world")], signed: true, trailer: null, decodedLength: 20);

        Assert.Equal(400, answer.Status);
        Assert.Equal("IncompleteBody", answer.Code);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_body_that_does_not_match_its_signed_sha256_is_XAmzContentSHA256Mismatch()
    {
        var answer = await _raw.SendAsync(HttpMethod.Put, "/raw/k", Bytes("hello"), payloadHash: RawS3Client.EmptySha256);

        Assert.Equal(400, answer.Status);
        Assert.Equal("XAmzContentSHA256Mismatch", answer.Code);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_connection_that_ends_mid_body_gets_no_success_and_leaves_nothing_behind()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_server.Endpoint.Host, _server.Endpoint.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Bytes(_raw.RawHead(HttpMethod.Put, "/raw/k", "UNSIGNED-PAYLOAD", 100_000)));
        await stream.WriteAsync(new byte[50_000]);
        client.Client.Shutdown(SocketShutdown.Send);
        using var reader = new StreamReader(stream);
        string response;
        try
        {
            response = await reader.ReadToEndAsync();
        }
        catch (IOException)
        {
            response = "";
        }

        // Kestrel takes the half-closed connection for a client that went away: there is nobody to answer.
        Assert.DoesNotContain("200 OK", response, StringComparison.Ordinal);
        var tmp = Path.Combine(_server.DataDir, "buckets", "raw", "tmp");
        for (var i = 0; i < 50 && Directory.Exists(tmp) && Directory.EnumerateFiles(tmp).Any(); i++)
        {
            await Task.Delay(100);
        }

        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_request_without_a_signature_is_AccessDenied()
    {
        using var http = new HttpClient { BaseAddress = _server.Endpoint };
        var response = await http.GetAsync("/raw");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(403, (int)response.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", body, StringComparison.Ordinal);
        var put = await http.PutAsync("/raw/anonymous", new ByteArrayContent(Bytes("x")));
        Assert.Equal(403, (int)put.StatusCode);
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task A_completion_with_parts_out_of_order_or_missing_is_refused()
    {
        using var s3 = _server.S3();
        var upload = await s3.InitiateMultipartUploadAsync("raw", "k");
        var big = new byte[5 * 1024 * 1024];
        var e1 = (await s3.UploadPartAsync(new UploadPartRequest { BucketName = "raw", Key = "k", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(big) })).ETag;
        var e2 = (await s3.UploadPartAsync(new UploadPartRequest { BucketName = "raw", Key = "k", UploadId = upload.UploadId, PartNumber = 2, InputStream = new MemoryStream(big) })).ETag;
        string Xml(params (int N, string E)[] parts) =>
            "<CompleteMultipartUpload>" + string.Concat(parts.Select(p => $"<Part><PartNumber>{p.N}</PartNumber><ETag>{p.E}</ETag></Part>")) + "</CompleteMultipartUpload>";

        var misordered = await _raw.SendAsync(HttpMethod.Post, $"/raw/k?uploadId={upload.UploadId}", Bytes(Xml((2, e2), (1, e1))));
        var missing = await _raw.SendAsync(HttpMethod.Post, $"/raw/k?uploadId={upload.UploadId}", Bytes(Xml((1, e1), (3, e2))));
        var malformed = await _raw.SendAsync(HttpMethod.Post, $"/raw/k?uploadId={upload.UploadId}", Bytes("<CompleteMultipartUpload><Part>"));
        var entity = await _raw.SendAsync(HttpMethod.Post, $"/raw/k?uploadId={upload.UploadId}", Bytes("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><CompleteMultipartUpload>&e;</CompleteMultipartUpload>"));

        Assert.Equal(("InvalidPartOrder", 400), (misordered.Code, misordered.Status));
        Assert.Equal(("InvalidPart", 400), (missing.Code, missing.Status));
        Assert.Equal(("MalformedXML", 400), (malformed.Code, malformed.Status));
        Assert.Equal(("MalformedXML", 400), (entity.Code, entity.Status));
        Assert.Empty((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "raw" })).S3Objects ?? []);

        var done = await _raw.SendAsync(HttpMethod.Post, $"/raw/k?uploadId={upload.UploadId}", Bytes(Xml((1, e1), (2, e2))));
        Assert.Equal(200, done.Status);
        Assert.EndsWith("-2\"</ETag></CompleteMultipartUploadResult>", done.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Virtual_host_style_requests_address_the_bucket_in_the_host_name()
    {
        using var s3 = _server.S3();
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "raw", Key = "vhost.txt", ContentBody = "v" });
        var host = $"raw.localhost:{_server.Endpoint.Port}";

        var list = await _raw.SendAsync(HttpMethod.Get, "/?list-type=2", host: host);
        var get = await _raw.SendAsync(HttpMethod.Get, "/vhost.txt", host: host);

        Assert.Equal(200, list.Status);
        Assert.Contains("<Key>vhost.txt</Key>", list.Body, StringComparison.Ordinal);
        Assert.Equal("v", get.Body);
    }

    [Fact]
    public async Task Unknown_checksum_trailers_and_oversized_chunks_are_refused()
    {
        var unknown = await _raw.PutChunkedAsync("/raw/k", [Bytes("x")], signed: false, ("x-amz-checksum-md4", "AAAA"));
        var oversized = await _raw.PutChunkedAsync("/raw/k", [Bytes("x")], signed: false, ("x-amz-checksum-crc32", Crc32(Bytes("x"))),
            tamper: body => Bytes(Encoding.ASCII.GetString(body).Replace("1\r\nx", "7fffffff\r\nx", StringComparison.Ordinal)));

        Assert.Equal(("InvalidRequest", 400), (unknown.Code, unknown.Status));
        Assert.Equal(("InvalidRequest", 400), (oversized.Code, oversized.Status));
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task Authentication_failures_get_S3s_codes()
    {
        using var wrongSecret = new RawS3Client(_server, TestServer.Alice with { SecretAccessKey = "not-the-secret" });
        using var unknownKey = new RawS3Client(_server, TestServer.Alice with { AccessKeyId = "AKIAUNKNOWNUNKNOWN00" });

        var mismatch = await wrongSecret.SendAsync(HttpMethod.Get, "/raw");
        var unknown = await unknownKey.SendAsync(HttpMethod.Get, "/raw");
        var skewed = await _raw.SendAsync(HttpMethod.Get, "/raw", signedAt: DateTime.UtcNow.AddMinutes(-20));

        Assert.Equal(("SignatureDoesNotMatch", 403), (mismatch.Code, mismatch.Status));
        Assert.Equal(("InvalidAccessKeyId", 403), (unknown.Code, unknown.Status));
        Assert.Equal(("RequestTimeTooSkewed", 403), (skewed.Code, skewed.Status));
    }

    [Fact]
    public async Task An_aws_chunked_body_signed_whole_is_decoded_too()
    {
        var framed = Bytes("B\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n");
        var answer = await _raw.SendAsync(HttpMethod.Put, "/raw/whole", framed, headers: new Dictionary<string, string>
        {
            ["x-amz-decoded-content-length"] = "11",
            ["x-amz-trailer"] = "x-amz-checksum-crc32",
            ["content-encoding"] = "aws-chunked",
        });

        Assert.Equal(200, answer.Status);
        Assert.Equal("hello world", (await _raw.SendAsync(HttpMethod.Get, "/raw/whole")).Body);
    }

    [Theory]
    [InlineData("GET", "/raw?list-type=2&max-keys=-1", "InvalidArgument")]
    [InlineData("GET", "/raw?list-type=2&continuation-token=%%%", "InvalidArgument")]
    [InlineData("GET", "/raw?list-type=2&encoding-type=base64", "InvalidArgument")]
    [InlineData("GET", "/raw/k?partNumber=abc", "InvalidArgument")]
    [InlineData("PUT", "/raw/k?partNumber=0&uploadId=0123456789abcdef0123456789abcdef", "InvalidArgument")]
    [InlineData("GET", "/raw/k?uploadId=../../etc", "NoSuchUpload")]
    [InlineData("DELETE", "/raw/k?uploadId=", "NoSuchUpload")]
    [InlineData("POST", "/raw/k?uploadId=zzz", "MalformedXML")]
    [InlineData("PUT", "/raw?encryption", "MalformedXML")]
    [InlineData("PUT", "/raw?tagging=", "NotImplemented")]
    [InlineData("GET", "/raw?website", "NotImplemented")]
    [InlineData("GET", "/Bad_Bucket/k", "InvalidBucketName")]
    [InlineData("GET", "/raw/k", "NoSuchKey")]
    [InlineData("HEAD", "/nosuchbucket", null)]
    public async Task Malformed_parameters_get_S3_errors_never_a_server_error(string method, string path, string? code)
    {
        var answer = await _raw.SendAsync(new HttpMethod(method), path, Bytes("<not-xml"));

        Assert.InRange(answer.Status, 400, 501);
        Assert.NotEqual(500, answer.Status);
        Assert.Equal(code, answer.Code);
    }
}
