using AmiVault.Archive;
using AmiVault.ObjectStore;
using AmiVault.Tests.Ec2;
using AmiVault.Tests.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.AspNetCore.Http;

namespace AmiVault.Tests.Faults;

/// <summary>
/// Store and restore with the bucket behind a <see cref="FaultProxy"/>: each fault either is retried away (the task
/// completes and the result is byte-exact) or fails the task cleanly with a reason, and never leaves a partial object,
/// an unfinished multipart upload, or an available image whose data differs.
/// </summary>
public sealed class StoreRestoreFaultTests(FaultyBucketFixture fixture) : IClassFixture<FaultyBucketFixture>, IDisposable
{
    private static bool IsUploadPart(HttpRequest r) => r.Method == "PUT" && r.Query.ContainsKey("partNumber");

    private static bool IsRangedGet(HttpRequest r) => r.Method == "GET" && r.Headers.Range.Count > 0;

    public static TheoryData<FaultKind, int> UploadFaults => new()
    {
        { FaultKind.ServerError, 1 },
        { FaultKind.SlowDown, 2 },
        { FaultKind.ResetMidBody, 1 },
    };

    [Theory]
    [MemberData(nameof(UploadFaults))]
    public async Task A_store_whose_part_uploads_meet_a_transient_fault_completes_after_retrying(FaultKind fault, int times)
    {
        var bucket = await fixture.NewBucketAsync("store-" + fault.ToString().ToLowerInvariant());
        fixture.Proxy.Inject(fault, times, IsUploadPart);

        var (task, key) = await StoreAsync(bucket);

        Assert.Equal(times, fixture.Proxy.Injected(fault));
        Assert.True(task.StoreTaskState == "Completed", $"{fault}: {task.StoreTaskFailureReason}");
        await fixture.AssertNothingLeftAsync(bucket, key);
        await AssertArchiveIsTheImageAsync(bucket, key);
    }

    /// <summary>The calls of a store that are not idempotent, each answered by the bucket and the answer then lost.</summary>
    public static TheoryData<string> LostAnswers => ["CreateMultipartUpload", "CompleteMultipartUpload"];

    [Theory]
    [MemberData(nameof(LostAnswers))]
    public async Task A_store_whose_answer_is_lost_after_the_bucket_did_the_work_completes_and_leaves_no_upload(string call)
    {
        var bucket = await fixture.NewBucketAsync("store-lost-" + call.ToLowerInvariant()[..8]);
        Func<HttpRequest, bool> where = call == "CreateMultipartUpload"
            ? r => r.Method == "POST" && r.Query.ContainsKey("uploads")
            : r => r.Method == "POST" && r.Query.ContainsKey("uploadId");
        fixture.Proxy.Inject(FaultKind.LoseAnswer, 1, where);

        var (task, key) = await StoreAsync(bucket);

        Assert.Equal(1, fixture.Proxy.Injected(FaultKind.LoseAnswer));
        Assert.True(task.StoreTaskState == "Completed", $"{call}: {task.StoreTaskFailureReason}");
        await fixture.AssertNothingLeftAsync(bucket, key);
        await AssertArchiveIsTheImageAsync(bucket, key);
    }

    [Fact]
    public async Task A_store_whose_uploads_keep_failing_fails_with_a_reason_and_leaves_no_object_or_upload()
    {
        var bucket = await fixture.NewBucketAsync("store-down");
        fixture.Proxy.Inject(FaultKind.ServerError, 1000, IsUploadPart);

        var (task, _) = await StoreAsync(bucket);

        Assert.Equal("Failed", task.StoreTaskState);
        Assert.False(string.IsNullOrWhiteSpace(task.StoreTaskFailureReason));
        Assert.InRange(fixture.Proxy.Injected(FaultKind.ServerError), 2, 100);
        fixture.Proxy.Reset();
        await fixture.AssertNothingLeftAsync(bucket);
    }

    /// <summary>Each fault at the first read (the archive's header, opened when the restore is asked for) and at a frame read of the restore itself.</summary>
    public static TheoryData<FaultKind, int> ReadFaults => new()
    {
        { FaultKind.ServerError, 0 },
        { FaultKind.SlowDown, 0 },
        { FaultKind.ResetMidBody, 0 },
        { FaultKind.TruncatedBody, 0 },
        { FaultKind.BitFlip, 0 },
        { FaultKind.ServerError, FirstFrameRead },
        { FaultKind.ResetMidBody, FirstFrameRead },
        { FaultKind.TruncatedBody, FirstFrameRead },
        { FaultKind.BitFlip, FirstFrameRead },
    };

    /// <summary>Opening an archive takes four ranged reads (header, trailer, manifest, index); the request opens it once and the task once more.</summary>
    private const int FirstFrameRead = 8;

    [Theory]
    [MemberData(nameof(ReadFaults))]
    public async Task A_restore_whose_reads_meet_a_fault_is_byte_exact(FaultKind fault, int readsBefore)
    {
        var seen = 0;
        fixture.Proxy.Inject(fault, 1, r => IsRangedGet(r) && Interlocked.Increment(ref seen) > readsBefore);

        var (image, refusal) = await RestoreAsync("restore " + fault);

        Assert.Equal(1, fixture.Proxy.Injected(fault));
        Assert.True(image?.State == ImageState.Available, $"{fault}: {refusal ?? image?.StateReason?.Message}");
        await AssertRestoredExactlyAsync(image);
    }

    [Fact]
    public async Task A_restore_through_a_bit_flip_in_every_read_never_makes_an_available_image()
    {
        fixture.Proxy.Inject(FaultKind.BitFlip, 1000, IsRangedGet);

        var (image, refusal) = await RestoreAsync("restore always flipped");

        Assert.NotEmpty(fixture.Proxy.Flips);
        Assert.NotEqual(ImageState.Available, image?.State);
        Assert.False(string.IsNullOrWhiteSpace(refusal ?? image?.StateReason?.Message), "the refusal or failure says why");
    }

    private async Task<(StoreImageTaskResult Task, string Key)> StoreAsync(string bucket)
    {
        using var ec2 = fixture.Vault.Ec2();
        var key = (await ec2.CreateStoreImageTaskAsync(new CreateStoreImageTaskRequest { ImageId = fixture.ImageId, Bucket = bucket })).ObjectKey;
        return (await ImageFixtures.WaitForStoreAsync(ec2, fixture.ImageId), key);
    }

    /// <summary>The restored image when the restore was admitted, else the refusal's code and message.</summary>
    private async Task<(Image? Image, string? Refusal)> RestoreAsync(string name)
    {
        using var ec2 = fixture.Vault.Ec2();
        try
        {
            var imageId = (await ec2.CreateRestoreImageTaskAsync(new CreateRestoreImageTaskRequest
            {
                Bucket = fixture.ArchiveBucket,
                ObjectKey = fixture.ArchiveKey,
                Name = name + " " + Guid.NewGuid().ToString("N")[..6],
            })).ImageId;
            return (await ImageFixtures.WaitForImageAsync(ec2, imageId), null);
        }
        catch (AmazonEC2Exception e)
        {
            return (null, $"{e.ErrorCode}: {e.Message}");
        }
    }

    /// <summary>The stored object, read from the real S3, is a sound archive of the image.</summary>
    private async Task AssertArchiveIsTheImageAsync(string bucket, string key)
    {
        var info = await fixture.Truth.HeadObjectAsync(bucket, key);
        var verdict = await ArchiveReader.VerifyAsync(new ObjectArchiveSource(fixture.Truth, bucket, key, info.ETag, info.Size), new ArchiveReadOptions());
        Assert.True(verdict.IsIntact, verdict.Message);
        var reader = await ArchiveReader.OpenAsync(new ObjectArchiveSource(fixture.Truth, bucket, key, info.ETag, info.Size));
        Assert.Equal(fixture.ImageId, reader.Manifest.Image.ImageId);
    }

    private async Task AssertRestoredExactlyAsync(Image? image)
    {
        Assert.NotNull(image);
        var copy = await ImageFixtures.ReadSnapshotAsync(fixture.Vault, image.BlockDeviceMappings.Single().Ebs.SnapshotId);
        Assert.Equal(fixture.Blocks.Keys, copy.Keys);
        Assert.All(fixture.Blocks, block => Assert.True(block.Value.AsSpan().SequenceEqual(copy[block.Key]), $"block {block.Key} differs"));
    }

    public void Dispose() => fixture.Proxy.Reset();
}
