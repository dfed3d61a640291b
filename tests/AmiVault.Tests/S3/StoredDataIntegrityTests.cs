using System.Security.Cryptography;
using AmiVault.Tests.Support;

namespace AmiVault.Tests.S3;

/// <summary>
/// Issue 10 item 8: a byte flipped on disk in an embedded object's data is never served. boto3 is the client; the
/// damage is done to the data file the way a failing disk would, behind the server's back.
/// </summary>
public sealed class StoredDataIntegrityTests : IAsyncLifetime
{
    private const int Frame = 64 * 1024;
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<string> Boto3Async(string script) => Boto3.RunAsync(_server, TestServer.Alice, script + "\n");

    /// <summary>Flips one byte at <paramref name="offset"/> of the bucket's smallest data file (the plaintext sits at
    /// about the same place, give or take the format's header and frame tags).</summary>
    private void Corrupt(string bucket, long offset)
    {
        var file = Directory.GetFiles(Path.Combine(_server.DataDir, "buckets", bucket, "data"), "*", SearchOption.AllDirectories)
            .MinBy(f => new FileInfo(f).Length)!;
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = offset;
        var value = stream.ReadByte();
        stream.Position = offset;
        stream.WriteByte((byte)(value ^ 0x5A));
    }

    /// <summary>What boto3 got for each read: "ok SHA256" of the bytes, or the error it raised.</summary>
    private const string ReadHelper = """
        import hashlib
        def read(bucket, key, **kw):
            try:
                body = s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()
                return "ok " + hashlib.sha256(body).hexdigest()
            except botocore.exceptions.ClientError as e:
                return "error %s %s" % (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])
            except Exception as e:
                return "broken " + type(e).__name__
        import botocore.exceptions
        """;

    private static string Sha(byte[] data) => "ok " + Convert.ToHexStringLower(SHA256.HashData(data));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_corrupted_frame_fails_every_read_that_touches_it_and_only_those(bool encrypted)
    {
        var data = RandomNumberGenerator.GetBytes((3 * Frame) + 1000);
        var source = Path.Combine(_server.DataDir, "source.bin");
        await File.WriteAllBytesAsync(source, data);
        var sse = encrypted ? ", ServerSideEncryption='AES256'" : "";
        var before = await Boto3Async(ReadHelper + "\n" + $$"""
            s3.create_bucket(Bucket="integrity")
            s3.put_object(Bucket="integrity", Key="k", Body=open("{{source}}", "rb").read(){{sse}})
            print(read("integrity", "k"))
            """);
        Assert.Equal(Sha(data), before);

        // The second frame, wherever the format puts it: well past the first frame and its tag, well before the third.
        Corrupt("integrity", Frame + 4096);

        var after = (await Boto3Async(ReadHelper + "\n" + """
            print(read("integrity", "k"))
            print(read("integrity", "k", Range="bytes=0-1000"))
            print(read("integrity", "k", Range="bytes=70000-70010"))
            print(read("integrity", "k", Range="bytes=140000-150000"))
            print(read("integrity", "k", Range="bytes=60000-70000"))
            """)).Split('\n');

        // The whole object: its first frame is sound and already on its way when the damage is found, so the
        // connection is cut short; the client must not end up with a complete-looking body.
        Assert.StartsWith("broken ", after[0]);
        Assert.Equal(Sha(data[..1001]), after[1]);
        Assert.Equal("error 500 InternalError", after[2]);
        Assert.Equal(Sha(data[140000..150001]), after[3]);
        Assert.StartsWith("broken ", after[4]);
    }

    [Fact]
    public async Task Damage_in_a_part_of_a_multipart_object_fails_reads_of_that_part()
    {
        var data = RandomNumberGenerator.GetBytes((5 << 20) + 200_000);
        var source = Path.Combine(_server.DataDir, "source.bin");
        await File.WriteAllBytesAsync(source, data);
        var output = await Boto3Async(ReadHelper + "\n" + $$"""
            s3.create_bucket(Bucket="parts")
            data = open("{{source}}", "rb").read()
            upload = s3.create_multipart_upload(Bucket="parts", Key="k")["UploadId"]
            p1 = s3.upload_part(Bucket="parts", Key="k", UploadId=upload, PartNumber=1, Body=data[:5 << 20])["ETag"]
            p2 = s3.upload_part(Bucket="parts", Key="k", UploadId=upload, PartNumber=2, Body=data[5 << 20:])["ETag"]
            s3.complete_multipart_upload(Bucket="parts", Key="k", UploadId=upload,
                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p1}, {"PartNumber": 2, "ETag": p2}]})
            print(read("parts", "k"))
            """);
        Assert.Equal(Sha(data), output);

        // The second part's file is the smaller: damage its first frame.
        Corrupt("parts", 1000);
        var after = (await Boto3Async(ReadHelper + "\n" + """
            print(read("parts", "k", PartNumber=1))
            print(read("parts", "k", PartNumber=2))
            print(read("parts", "k"))
            """)).Split('\n');

        Assert.Equal(Sha(data[..(5 << 20)]), after[0]);
        Assert.Equal("error 500 InternalError", after[1]);
        Assert.StartsWith("broken ", after[2]);
    }
}
