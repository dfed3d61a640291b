using System.Security.Cryptography;
using AmiVault.ObjectStore;
using AmiVault.ObjectStore.Embedded;

namespace AmiVault.Tests.ObjectStore;

/// <summary>What only the embedded store promises: ownership, encryption at rest, and never a partial object.</summary>
public sealed class EmbeddedObjectStoreTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "amivault-store-" + Guid.NewGuid().ToString("N"));
    private readonly EmbeddedObjectStoreProvider _provider;

    public EmbeddedObjectStoreTests()
    {
        _provider = new EmbeddedObjectStoreProvider(new EmbeddedStorage(_dataDir, "eu-west-1", TimeProvider.System));
    }

    private IObjectStore Alice => _provider.ForAccount("111111111111");

    private IObjectStore Bob => _provider.ForAccount("222222222222");

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    private async Task<byte[]> ReadRangeAsync(string bucket, string key, long offset, long length)
    {
        await using var content = await Alice.GetObjectAsync(bucket, key, new ObjectReadOptions { Range = ByteRange.FromOffset(offset, length) });
        using var copy = new MemoryStream();
        await content.Body.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Another_accounts_bucket_is_AccessDenied_and_not_listed()
    {
        await Alice.CreateBucketAsync("alice-bucket");
        await Alice.PutObjectAsync("alice-bucket", "secret", new MemoryStream([1]), 1, ObjectWriteOptions.Default);

        Assert.Empty(await Bob.ListBucketsAsync());
        async Task Denied(Func<Task> action) => Assert.Equal(403, (await Assert.ThrowsAsync<ObjectStoreException>(action)).Status);
        await Denied(() => Bob.HeadBucketAsync("alice-bucket"));
        await Denied(() => Bob.GetObjectAsync("alice-bucket", "secret", ObjectReadOptions.Whole));
        await Denied(() => Bob.PutObjectAsync("alice-bucket", "x", new MemoryStream([1]), 1, ObjectWriteOptions.Default));
        await Denied(() => Bob.DeleteObjectAsync("alice-bucket", "secret"));
        await Denied(() => Bob.ListObjectsAsync("alice-bucket", new ListObjectsQuery()));
        await Denied(() => Bob.DeleteBucketAsync("alice-bucket"));
        await Denied(() => Bob.CreateMultipartUploadAsync("alice-bucket", "x", ObjectWriteOptions.Default));
        Assert.Equal("BucketAlreadyExists", (await Assert.ThrowsAsync<ObjectStoreException>(() => Bob.CreateBucketAsync("alice-bucket"))).Code);
        Assert.Equal("eu-west-1", (await Alice.HeadBucketAsync("alice-bucket")).Region);
    }

    [Fact]
    public async Task Bad_bucket_names_are_InvalidBucketName()
    {
        foreach (var name in new[] { "ab", "Upper", "has_underscore", "-dash", "dots..twice", "192.168.1.1", "../escape", new string('a', 64) })
        {
            var e = await Assert.ThrowsAsync<ObjectStoreException>(() => Alice.CreateBucketAsync(name));
            Assert.Equal("InvalidBucketName", e.Code);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dataDir, "buckets")));
    }

    [Fact]
    public async Task An_encrypted_object_is_not_readable_on_disk_and_decrypts_for_any_range()
    {
        await Alice.CreateBucketAsync("sse");
        var data = new byte[300_000];
        Array.Fill(data, (byte)'A');
        RandomNumberGenerator.Fill(data.AsSpan(100_000, 1000));

        var info = await Alice.PutObjectAsync("sse", "k", new MemoryStream(data), data.Length, new ObjectWriteOptions { Encrypt = true });

        Assert.True(info.Encrypted);
        Assert.Equal("\"" + Convert.ToHexStringLower(MD5.HashData(data)) + "\"", info.ETag);
        var files = Directory.GetFiles(Path.Combine(_dataDir, "buckets", "sse", "data"));
        var onDisk = await File.ReadAllBytesAsync(Assert.Single(files));
        Assert.True(onDisk.AsSpan().IndexOf(new byte[64].Select(_ => (byte)'A').ToArray()) < 0);
        Assert.False(Directory.EnumerateFiles(Path.Combine(_dataDir, "buckets"), "*.key", SearchOption.AllDirectories).Any());
        foreach (var (offset, length) in new[] { (0L, 300_000L), (65_530L, 20L), (131_072L, 65_536L), (299_999L, 1L) })
        {
            Assert.Equal(data.AsSpan((int)offset, (int)length).ToArray(), await ReadRangeAsync("sse", "k", offset, length));
        }
    }

    [Fact]
    public async Task An_encrypted_multipart_object_reads_back_across_its_part_boundaries()
    {
        await Alice.CreateBucketAsync("sse");
        var part1 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 17);
        var part2 = RandomNumberGenerator.GetBytes(70_000);
        var uploadId = await Alice.CreateMultipartUploadAsync("sse", "k", new ObjectWriteOptions { Encrypt = true });
        var e1 = await Alice.UploadPartAsync("sse", "k", uploadId, 1, new MemoryStream(part1), part1.Length);
        var e2 = await Alice.UploadPartAsync("sse", "k", uploadId, 2, new MemoryStream(part2), part2.Length);
        var info = await Alice.CompleteMultipartUploadAsync("sse", "k", uploadId, [new(1, e1.ETag), new(2, e2.ETag)]);

        Assert.True(info.Encrypted);
        byte[] whole = [.. part1, .. part2];
        foreach (var (offset, length) in new[] { (0L, (long)whole.Length), (part1.Length - 100L, 70_100L), (part1.Length - 1L, 2L), (whole.Length - 5L, 5L) })
        {
            Assert.Equal(whole.AsSpan((int)offset, (int)length).ToArray(), await ReadRangeAsync("sse", "k", offset, length));
        }
    }

    [Fact]
    public async Task Metadata_that_could_not_go_back_out_as_a_header_is_refused()
    {
        await Alice.CreateBucketAsync("bkt");
        foreach (var metadata in new[] { new Dictionary<string, string> { ["with space"] = "v" }, new Dictionary<string, string> { ["name"] = "line\nbreak" } })
        {
            var e = await Assert.ThrowsAsync<ObjectStoreException>(() => Alice.PutObjectAsync("bkt", "k", new MemoryStream([1]), 1, new ObjectWriteOptions { Metadata = metadata }));
            Assert.Equal("InvalidArgument", e.Code);
        }
    }

    [Fact]
    public async Task Tampered_encrypted_data_fails_to_read_instead_of_returning_garbage()
    {
        await Alice.CreateBucketAsync("sse");
        await Alice.PutBucketEncryptionAsync("sse", encryptByDefault: true);
        var data = RandomNumberGenerator.GetBytes(100_000);
        Assert.True((await Alice.PutObjectAsync("sse", "k", new MemoryStream(data), data.Length, ObjectWriteOptions.Default)).Encrypted);
        var file = Assert.Single(Directory.GetFiles(Path.Combine(_dataDir, "buckets", "sse", "data")));
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[70_000] ^= 1;
        await File.WriteAllBytesAsync(file, bytes);

        await using var content = await Alice.GetObjectAsync("sse", "k", ObjectReadOptions.Whole);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => content.Body.CopyToAsync(Stream.Null));
        Assert.Equal(("InternalError", 500), (e.Code, e.Status));
    }

    [Fact]
    public async Task A_plain_object_is_stored_checksummed_and_a_truncated_data_file_fails_to_read()
    {
        await Alice.CreateBucketAsync("bkt");
        var data = RandomNumberGenerator.GetBytes(200_000);
        await Alice.PutObjectAsync("bkt", "k", new MemoryStream(data), data.Length, ObjectWriteOptions.Default);
        var file = Assert.Single(Directory.GetFiles(Path.Combine(_dataDir, "buckets", "bkt", "data")));
        Assert.Equal(4 + data.Length + (4 * 8), new FileInfo(file).Length);

        // Cut at a frame boundary: every remaining frame is sound, only the last one is missing.
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(4 + (3 * ((64 * 1024) + 8)));
        }

        Assert.Equal(data.AsSpan(0, 1000).ToArray(), await ReadRangeAsync("bkt", "k", 0, 1000));
        var e = await Assert.ThrowsAsync<ObjectStoreException>(() => ReadRangeAsync("bkt", "k", 199_000, 1000));
        Assert.Equal("InternalError", e.Code);
    }

    /// <summary>
    /// What the release before data checksums left on disk: an object whose record has no "Checksummed" and whose data
    /// file is the raw bytes, and an unfinished upload with a raw part named NNNNN-MD5-LENGTH. Both still read, and
    /// the upload completes with a part uploaded now (checksummed) next to the old one.
    /// </summary>
    [Fact]
    public async Task Objects_and_parts_written_before_data_checksums_still_read()
    {
        await Alice.CreateBucketAsync("old");
        var storage = new EmbeddedStorage(_dataDir, "eu-west-1", TimeProvider.System);
        var bucketDir = Path.Combine(_dataDir, "buckets", "old");
        var data = RandomNumberGenerator.GetBytes(150_000);
        await File.WriteAllBytesAsync(Path.Combine(bucketDir, "data", "0123456789abcdef0123456789abcdef"), data);
        var objectFile = storage.ObjectFile("old", "legacy.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(objectFile)!);
        var dataName = "0123456789abcdef0123456789abcdef";
        await File.WriteAllBytesAsync(objectFile, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new
        {
            Key = "legacy.bin", Size = data.Length, ETag = ETags.FromMd5(MD5.HashData(data)), LastModified = "2026-12-01T10:00:00+00:00",
            ContentType = (string?)null, Metadata = new { }, Tags = new { }, Encrypted = false, PartsCount = (int?)null,
            DataPath = dataName, Segments = new[] { new { Path = dataName, Length = data.Length } },
        }));

        var uploadId = await Alice.CreateMultipartUploadAsync("old", "mp", ObjectWriteOptions.Default);
        var oldPart = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var oldPartMd5 = MD5.HashData(oldPart);
        await File.WriteAllBytesAsync(Path.Combine(bucketDir, "uploads", uploadId, $"00001-{Convert.ToHexStringLower(oldPartMd5)}-{oldPart.Length}"), oldPart);
        var newPart = RandomNumberGenerator.GetBytes(100_000);
        var e2 = await Alice.UploadPartAsync("old", "mp", uploadId, 2, new MemoryStream(newPart), newPart.Length);
        var listed = await Alice.ListPartsAsync("old", "mp", uploadId);
        Assert.Equal([1, 2], listed.Parts.Select(p => p.PartNumber));
        await Alice.CompleteMultipartUploadAsync("old", "mp", uploadId, [new(1, ETags.FromMd5(oldPartMd5)), new(2, e2.ETag)]);

        Assert.Equal(data, await ReadRangeAsync("old", "legacy.bin", 0, data.Length));
        Assert.Equal(data.AsSpan(70_000, 100).ToArray(), await ReadRangeAsync("old", "legacy.bin", 70_000, 100));
        byte[] whole = [.. oldPart, .. newPart];
        Assert.Equal(whole, await ReadRangeAsync("old", "mp", 0, whole.Length));
        Assert.Equal(whole.AsSpan(oldPart.Length - 10, 20).ToArray(), await ReadRangeAsync("old", "mp", oldPart.Length - 10, 20));
    }

    [Fact]
    public async Task A_body_that_fails_midway_leaves_the_old_object_and_no_files_behind()
    {
        await Alice.CreateBucketAsync("bkt");
        await Alice.PutObjectAsync("bkt", "k", new MemoryStream([1, 2, 3]), 3, ObjectWriteOptions.Default);

        await Assert.ThrowsAsync<IOException>(() => Alice.PutObjectAsync("bkt", "k", new FailingStream(200_000), null, ObjectWriteOptions.Default));
        var short_ = await Assert.ThrowsAsync<ObjectStoreException>(() => Alice.PutObjectAsync("bkt", "k", new MemoryStream(new byte[10]), 20, ObjectWriteOptions.Default));
        Assert.Equal("IncompleteBody", short_.Code);

        await using var content = await Alice.GetObjectAsync("bkt", "k", ObjectReadOptions.Whole);
        using var copy = new MemoryStream();
        await content.Body.CopyToAsync(copy);
        Assert.Equal([1, 2, 3], copy.ToArray());
        Assert.Empty(Directory.GetFiles(Path.Combine(_dataDir, "buckets", "bkt", "tmp")));
        Assert.Single(Directory.GetFiles(Path.Combine(_dataDir, "buckets", "bkt", "data")));
    }

    [Fact]
    public async Task A_read_under_way_keeps_the_object_it_began_with_when_it_is_replaced_and_deleted()
    {
        await Alice.CreateBucketAsync("bkt");
        var part1 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var part2 = RandomNumberGenerator.GetBytes(1000);
        var uploadId = await Alice.CreateMultipartUploadAsync("bkt", "k", ObjectWriteOptions.Default);
        var e1 = await Alice.UploadPartAsync("bkt", "k", uploadId, 1, new MemoryStream(part1), part1.Length);
        var e2 = await Alice.UploadPartAsync("bkt", "k", uploadId, 2, new MemoryStream(part2), part2.Length);
        await Alice.CompleteMultipartUploadAsync("bkt", "k", uploadId, [new(1, e1.ETag), new(2, e2.ETag)]);

        await using var content = await Alice.GetObjectAsync("bkt", "k", ObjectReadOptions.Whole);
        var first = new byte[1];
        Assert.Equal(1, await content.Body.ReadAsync(first));
        await Alice.PutObjectAsync("bkt", "k", new MemoryStream([9, 9, 9]), 3, ObjectWriteOptions.Default);
        await Alice.DeleteObjectAsync("bkt", "k");
        using var rest = new MemoryStream();
        await content.Body.CopyToAsync(rest);

        byte[] whole = [.. part1, .. part2];
        byte[] read = [.. first, .. rest.ToArray()];
        Assert.Equal(whole, read);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dataDir, "buckets", "bkt", "data")));
    }

    [Fact]
    public async Task A_bucket_deleted_while_a_body_streams_in_stays_deleted_and_the_put_fails()
    {
        await Alice.CreateBucketAsync("bkt");
        var body = new GatedStream(100_000);
        var put = Alice.PutObjectAsync("bkt", "k", body, null, ObjectWriteOptions.Default);
        await body.Started.Task;

        await Alice.DeleteBucketAsync("bkt");
        body.Open.SetResult();

        Assert.Equal("NoSuchBucket", (await Assert.ThrowsAsync<ObjectStoreException>(() => put)).Code);
        Assert.Empty(await Alice.ListBucketsAsync());
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "buckets", "bkt")));
        await Alice.CreateBucketAsync("bkt");
    }

    [Fact]
    public async Task Leftovers_of_a_crash_are_cleared_when_the_store_starts()
    {
        await Alice.CreateBucketAsync("bkt");
        var tmp = Path.Combine(_dataDir, "buckets", "bkt", "tmp");
        Directory.CreateDirectory(tmp);
        await File.WriteAllBytesAsync(Path.Combine(tmp, "half-written"), new byte[10]);
        Directory.CreateDirectory(Path.Combine(_dataDir, "buckets", ".new-123"));
        await Alice.PutObjectAsync("bkt", "kept", new MemoryStream([1, 2]), 2, ObjectWriteOptions.Default);
        var data = Path.Combine(_dataDir, "buckets", "bkt", "data");
        await File.WriteAllBytesAsync(Path.Combine(data, "never-committed"), new byte[10]);
        Directory.CreateDirectory(Path.Combine(data, "completed-parts-never-committed"));

        var restarted = new EmbeddedObjectStoreProvider(new EmbeddedStorage(_dataDir, "eu-west-1", TimeProvider.System)).ForAccount("111111111111");

        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp));
        Assert.Single(Directory.EnumerateFileSystemEntries(data));
        await using var kept = await restarted.GetObjectAsync("bkt", "kept", ObjectReadOptions.Whole);
        Assert.Equal(2, kept.Length);
        Assert.Equal(["bkt"], (await restarted.ListBucketsAsync()).Select(b => b.Name));
    }

    /// <summary>A body that sends its first bytes, then waits until <see cref="Open"/> is set.</summary>
    private sealed class GatedStream(int length) : MemoryStream(new byte[length])
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position > 0)
            {
                Started.TrySetResult();
                await Open.Task;
            }

            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
        }
    }

    /// <summary>A body whose connection drops after some bytes.</summary>
    private sealed class FailingStream(int failAfter) : MemoryStream(new byte[failAfter])
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new IOException("connection reset");
        }
    }
}
