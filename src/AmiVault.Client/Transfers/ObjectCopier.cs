using System.Diagnostics;
using System.Security.Cryptography;
using AmiVault.Archive;
using AmiVault.ObjectStore;
using AmiVault.Resilience;

namespace AmiVault.Transfers;

/// <summary>
/// Copies one object between two S3 endpoints with their own credentials, streaming through bounded memory with no
/// local disk: parallel ranged GETs pinned with If-Match to the source's ETag, each range sent as one part of a
/// multipart upload with its Content-MD5. Parts match the source's own when it is multipart, so an exact copy ends
/// with the very same ETag. Progress survives interruption in a <see cref="CopyJournal"/>; the next run checks the
/// recorded parts against ListParts and sends only the rest. An AmiVault archive is opened at the source first (its
/// digest checked), so a damaged one is reported before anything is written. At the end the destination's size and
/// ETag are checked against what was sent, and an archive is opened there to check its digest. Part buffers are taken
/// from a <see cref="TransferBudget"/> that several copies running side by side (sync) can share.
/// </summary>
internal sealed class ObjectCopier(CopyEnd source, CopyEnd destination, ObjectCopyOptions options)
{
    private readonly TransferBudget _budget = options.Budget ?? new TransferBudget(options.MemoryBudget);

    /// <summary>
    /// The copy's steps (a HEAD, a listing, a ranged GET and the UploadPart it feeds) are each one attempt of the
    /// retry policy, which then owns the stores' calls inside them: a part is read and sent again as a whole.
    /// </summary>
    private readonly ResiliencePolicy _retry = new(options.Retry) { Target = $"{source} → {destination}" };

    public const long MinPartSize = 5L << 20;
    private const long DefaultPartSize = 8L << 20;
    private const long MaxMatchedPartSize = 64L << 20;
    private const long MaxPartSize = 1L << 30;
    private const int MaxParts = 10_000;

    /// <summary>Lines for the user: resuming, starting over.</summary>
    public Action<string> Note { get; init; } = _ => { };

    /// <summary>Called once with the object's size.</summary>
    public Action<long> SetTotal { get; init; } = _ => { };

    /// <summary>Called with bytes copied (or found already copied).</summary>
    public Action<long> Progress { get; init; } = _ => { };

    /// <summary>The multipart upload in use once there is one (for the user to abort it by hand if they give up).</summary>
    public string? UploadId { get; private set; }

    /// <param name="stop">
    /// A gentle stop (sync --watch on Ctrl-C): no new part starts, the parts in flight finish and are journaled, then
    /// the copy ends with <see cref="OperationCanceledException"/>, to be resumed by the next run.
    /// <paramref name="cancellationToken"/> still cuts everything short.
    /// </param>
    public async Task<ObjectCopyResult> CopyAsync(CancellationToken cancellationToken, CancellationToken stop = default)
    {
        var clock = Stopwatch.StartNew();
        var info = await _retry.ExecuteAsync($"HEAD {source}", t => source.Store.HeadObjectAsync(source.Bucket, source.Key, t), cancellationToken);
        var tags = await _retry.ExecuteAsync($"GET the tags of {source}", t => source.Store.GetObjectTaggingAsync(source.Bucket, source.Key, t), cancellationToken);
        await _retry.ExecuteAsync($"HEAD the bucket of {destination}", t => destination.Store.HeadBucketAsync(destination.Bucket, t), cancellationToken);
        SetTotal(info.Size);
        try
        {
            await OpenArchiveAsync(source, info.ETag, info.Size, cancellationToken);
        }
        catch (ArchiveFormatException e)
        {
            throw new CopyVerificationException($"The source {source} is a damaged archive, so nothing was copied: {e.Message}", e);
        }

        var partSize = await ChoosePartSizeAsync(info, cancellationToken);
        var write = new ObjectWriteOptions { ContentType = info.ContentType, Metadata = info.Metadata, Encrypt = info.Encrypted ? true : null };
        var (parts, sent) = info.Size <= partSize
            ? ([await CopyWholeAsync(info, write, cancellationToken)], 1)
            : await CopyMultipartAsync(info, partSize, write, cancellationToken, stop);
        if (tags.Count > 0)
        {
            await _retry.ExecuteAsync($"PUT the tags of {destination}", t => destination.Store.PutObjectTaggingAsync(destination.Bucket, destination.Key, tags, t), cancellationToken);
        }

        var (copy, archive) = await VerifyAsync(info, parts, cancellationToken);
        return new ObjectCopyResult(
            info.Size, info.ETag, copy.ETag, parts.Count, partSize, sent, parts.Count - sent, info.Metadata.Count, tags.Count,
            ETags.Same(info.ETag, copy.ETag), archive?.ImageId, archive?.Statistics, clock.Elapsed);
    }

    /// <summary>
    /// The source's own part size when it is multipart with parts of a size we can hold (the copy then has the same
    /// ETag), else at least 8 MiB and large enough for 10,000 parts.
    /// </summary>
    private async Task<long> ChoosePartSizeAsync(ObjectInfo info, CancellationToken cancellationToken)
    {
        var smallest = Math.Max(DefaultPartSize, ((info.Size + MaxParts - 1) / MaxParts + (1 << 20) - 1) >> 20 << 20);
        if (options.PartSize is { } asked)
        {
            return asked < MinPartSize || asked > MaxPartSize
                ? throw new ArgumentException($"A part size of {asked} bytes is not between 5 MiB and 1 GiB.")
                : (info.Size + asked - 1) / asked > MaxParts
                    ? throw new ArgumentException($"With parts of {asked} bytes the object would need more than {MaxParts} parts; use at least {smallest}.")
                    : asked;
        }

        if (info.PartsCount is > 1 and var sourceParts)
        {
            var first = await _retry.ExecuteAsync($"GET part 1 of {source}", async t =>
            {
                await using var part = await source.Store.GetObjectAsync(
                    source.Bucket, source.Key, new ObjectReadOptions { PartNumber = 1, IfMatch = info.ETag }, t);
                return part.Length;
            }, cancellationToken);
            if (first is >= MinPartSize and <= MaxMatchedPartSize && (info.Size + first - 1) / first == sourceParts)
            {
                return first;
            }
        }

        return smallest;
    }

    private async Task<CopiedPart> CopyWholeAsync(ObjectInfo info, ObjectWriteOptions write, CancellationToken cancellationToken)
    {
        using var buffer = await _budget.RentAsync(info.Size, cancellationToken);
        return await _retry.ExecuteAsync($"copy {source} to {destination}", async t =>
        {
            if (buffer.Length > 0)
            {
                await ReadRangeAsync(0, buffer.Memory, info.ETag, t);
            }

            using var body = new MemoryStream(buffer.Array, 0, buffer.Length, writable: false);
            var stored = await destination.Store.PutObjectAsync(
                destination.Bucket, destination.Key, body, buffer.Length, write with { ContentMd5 = MD5.HashData(buffer.Memory.Span) }, t);
            Progress(buffer.Length);
            return new CopiedPart(1, stored.ETag, buffer.Length);
        }, cancellationToken);
    }

    private async Task<(IReadOnlyList<CopiedPart> Parts, int Sent)> CopyMultipartAsync(
        ObjectInfo info, long partSize, ObjectWriteOptions write, CancellationToken cancellationToken, CancellationToken stop)
    {
        var count = (int)((info.Size + partSize - 1) / partSize);
        var path = CopyJournal.PathFor(options.StateDirectory, destination);
        var wanted = new CopyJournalHeader(
            source.Endpoint, source.Bucket, source.Key, info.ETag, info.Size, destination.Endpoint, destination.Bucket, destination.Key, "", partSize, DateTimeOffset.UtcNow);
        var (journal, done) = await ResumeAsync(CopyJournal.Open(path), wanted, count, cancellationToken);
        journal ??= CopyJournal.Create(path, wanted with
        {
            UploadId = await destination.Store.CreateMultipartUploadAsync(destination.Bucket, destination.Key, write, cancellationToken),
        });

        UploadId = journal.Header.UploadId;
        using (journal)
        {
            Progress(done.Values.Sum(p => p.Size));
            var todo = Enumerable.Range(1, count).Where(n => !done.ContainsKey(n)).ToList();
            var parallel = new ParallelOptions
            {
                MaxDegreeOfParallelism = (int)Math.Clamp(options.MemoryBudget / partSize, 1, options.Parallel),
                CancellationToken = cancellationToken,
            };
            await Parallel.ForEachAsync(todo, parallel, async (number, token) =>
            {
                var offset = (number - 1) * partSize;
                var length = (int)Math.Min(partSize, info.Size - offset);
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                using (var buffer = await _budget.RentAsync(length, token))
                {
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }

                    var part = await _retry.ExecuteAsync($"copy part {number}", t => CopyPartAsync(journal.Header.UploadId, number, offset, buffer, info.ETag, t), token);
                    journal.Record(part);
                    lock (done)
                    {
                        done[number] = part;
                    }
                }

                Progress(length);
            });

            if (done.Count < count)
            {
                // Stopped gently: every part that was sent is in the journal; the next run sends the rest.
                throw new OperationCanceledException($"Stopped with {done.Count} of {count} parts of {destination} sent.", stop);
            }

            var ordered = done.Values.OrderBy(p => p.Part).ToList();
            await destination.Store.CompleteMultipartUploadAsync(
                destination.Bucket, destination.Key, journal.Header.UploadId, [.. ordered.Select(p => new CompletedPart(p.Part, p.ETag))], cancellationToken: cancellationToken);
            journal.Delete();
            return (ordered, todo.Count);
        }
    }

    /// <summary>
    /// The unfinished copy to pick up, with the parts the destination really holds (listed with the recorded size
    /// and ETag), or none: a journal for another source version, part size or a vanished upload is discarded.
    /// </summary>
    private async Task<(CopyJournal? Journal, Dictionary<int, CopiedPart> Done)> ResumeAsync(
        CopyJournal? journal, CopyJournalHeader wanted, int count, CancellationToken cancellationToken)
    {
        if (journal is null)
        {
            return (null, []);
        }

        var recorded = journal.Header;
        var reason = options.Restart ? "--restart was given"
            : recorded.SourceEndpoint != wanted.SourceEndpoint || recorded.SourceBucket != wanted.SourceBucket || recorded.SourceKey != wanted.SourceKey
                ? $"it was copying another object (s3://{recorded.SourceBucket}/{recorded.SourceKey} at {recorded.SourceEndpoint})"
            : !ETags.Same(recorded.SourceETag, wanted.SourceETag) || recorded.SourceSize != wanted.SourceSize ? "the source object has changed since"
            : recorded.PartSize != wanted.PartSize ? "it used another part size"
            : null;
        var done = new Dictionary<int, CopiedPart>();
        if (reason is null)
        {
            try
            {
                var listed = await ListPartsAsync(recorded.UploadId, cancellationToken);
                foreach (var part in journal.Parts.Values)
                {
                    if (part.Part <= count && listed.TryGetValue(part.Part, out var there) && there.Size == part.Size && ETags.Same(there.ETag, part.ETag))
                    {
                        done[part.Part] = part;
                    }
                }
            }
            catch (ObjectStoreException e) when (e.Code is "NoSuchUpload")
            {
                reason = "its multipart upload no longer exists at the destination";
            }
        }

        if (reason is not null)
        {
            Note($"Starting over: an unfinished copy to {destination} was found, but {reason}.");
            await AbortQuietlyAsync(recorded.UploadId);
            journal.Delete();
            return (null, []);
        }

        Note($"Resuming the copy to {destination}: {done.Count} of {count} parts are already there.");
        return (journal, done);
    }

    private async Task<Dictionary<int, PartInfo>> ListPartsAsync(string uploadId, CancellationToken cancellationToken)
    {
        var parts = new Dictionary<int, PartInfo>();
        var marker = 0;
        while (true)
        {
            var page = await _retry.ExecuteAsync($"list the parts sent to {destination}", t => destination.Store.ListPartsAsync(destination.Bucket, destination.Key, uploadId, marker, 1000, t), cancellationToken);
            foreach (var part in page.Parts)
            {
                parts[part.PartNumber] = part;
            }

            if (!page.IsTruncated || page.NextPartNumberMarker <= marker)
            {
                return parts;
            }

            marker = page.NextPartNumberMarker;
        }
    }

    private async Task<CopiedPart> CopyPartAsync(string uploadId, int number, long offset, TransferBuffer buffer, string etag, CancellationToken cancellationToken)
    {
        await ReadRangeAsync(offset, buffer.Memory, etag, cancellationToken);
        using var body = new MemoryStream(buffer.Array, 0, buffer.Length, writable: false);
        var stored = await destination.Store.UploadPartAsync(
            destination.Bucket, destination.Key, uploadId, number, body, buffer.Length, MD5.HashData(buffer.Memory.Span), cancellationToken: cancellationToken);
        return new CopiedPart(number, stored.ETag, buffer.Length);
    }

    /// <summary>One ranged GET, pinned to the source version being copied.</summary>
    private async Task ReadRangeAsync(long offset, Memory<byte> buffer, string etag, CancellationToken cancellationToken)
    {
        await using var content = await source.Store.GetObjectAsync(
            source.Bucket, source.Key, new ObjectReadOptions { Range = ByteRange.FromOffset(offset, buffer.Length), IfMatch = etag }, cancellationToken);
        if (content.Offset != offset || content.Length != buffer.Length)
        {
            throw new IOException($"{source} answered bytes {content.Offset}+{content.Length} for {offset}+{buffer.Length}.");
        }

        await content.Body.ReadExactlyAsync(buffer, cancellationToken);
    }

    /// <summary>
    /// Size and ETag as the destination reports them against what was sent (the MD5 of each part), and an archive's
    /// own digest read back from the destination. A copy that differs is deleted, unless it equals the source.
    /// </summary>
    private async Task<(ObjectInfo Copy, (string ImageId, ArchiveStatistics Statistics)? Archive)> VerifyAsync(ObjectInfo original, IReadOnlyList<CopiedPart> parts, CancellationToken cancellationToken)
    {
        var copy = await _retry.ExecuteAsync($"HEAD {destination}", t => destination.Store.HeadObjectAsync(destination.Bucket, destination.Key, t), cancellationToken);
        var expected = ExpectedETag(parts);
        if (copy.Size != original.Size || (expected is not null && !ETags.Same(expected, copy.ETag)))
        {
            await destination.Store.DeleteObjectAsync(destination.Bucket, destination.Key, CancellationToken.None);
            throw new CopyVerificationException(
                $"The copy at {destination} has {copy.Size} bytes and ETag {copy.ETag}; {original.Size} bytes and ETag {expected} were sent. It was deleted; run the copy again.");
        }

        try
        {
            if (await OpenArchiveAsync(destination, copy.ETag, copy.Size, cancellationToken) is not { } reader)
            {
                return (copy, null);
            }

            if (options.VerifyArchiveFully)
            {
                var archive = new ObjectArchiveSource(destination.Store, destination.Bucket, destination.Key, copy.ETag, copy.Size);
                var verdict = await ArchiveReader.VerifyAsync(archive, new ArchiveReadOptions { MaxParallelReads = options.Parallel }, cancellationToken);
                if (!verdict.IsIntact)
                {
                    throw new ArchiveFormatException(verdict.Problem ?? ArchiveProblem.Malformed, verdict.Message);
                }
            }

            return (copy, (reader.Manifest.Image.ImageId, reader.Statistics));
        }
        catch (ArchiveFormatException e)
        {
            if (ETags.Same(original.ETag, copy.ETag))
            {
                throw new CopyVerificationException($"The copy is byte-identical to the source, but the source archive itself is damaged: {e.Message}", e);
            }

            await destination.Store.DeleteObjectAsync(destination.Bucket, destination.Key, CancellationToken.None);
            throw new CopyVerificationException($"The copy at {destination} is not a valid archive ({e.Message}). It was deleted; run the copy again.", e);
        }
    }

    /// <summary>The ETag S3 computes from the parts sent, when every part's ETag is its MD5 (not with SSE-KMS).</summary>
    /// <remarks>One part is a single PutObject (a multipart copy has two parts or more), whose ETag is the object's.</remarks>
    private static string? ExpectedETag(IReadOnlyList<CopiedPart> parts) =>
        parts.Count == 1 ? parts[0].ETag : ETags.OfCompletedParts(parts.Select(p => p.ETag));

    /// <summary>
    /// The AmiVault archive <paramref name="end"/> holds in version <paramref name="etag"/>, opened (header, manifest,
    /// index and their digest checked, a few ranged reads), or null when the object is not one (it does not start
    /// with the archive's magic). Throws <see cref="ArchiveFormatException"/> when it is one but damaged.
    /// </summary>
    public async Task<ArchiveReader?> OpenArchiveAsync(CopyEnd end, string etag, long size, CancellationToken cancellationToken)
    {
        var magic = ArchiveFormat.HeaderMagic.ToArray();
        if (size < magic.Length)
        {
            return null;
        }

        var start = new byte[magic.Length];
        await _retry.ExecuteAsync($"GET the first bytes of {end}", async t =>
        {
            await using var content = await end.Store.GetObjectAsync(
                end.Bucket, end.Key, new ObjectReadOptions { Range = ByteRange.FromOffset(0, start.Length), IfMatch = etag }, t);
            await content.Body.ReadExactlyAsync(start, t);
            return true;
        }, cancellationToken);
        return start.AsSpan().SequenceEqual(magic)
            ? await _retry.ExecuteAsync($"open the archive {end}", t => ArchiveReader.OpenAsync(new ObjectArchiveSource(end.Store, end.Bucket, end.Key, etag, size), t), cancellationToken)
            : null;
    }

    private async Task AbortQuietlyAsync(string uploadId)
    {
        try
        {
            await destination.Store.AbortMultipartUploadAsync(destination.Bucket, destination.Key, uploadId, CancellationToken.None);
        }
        catch (ObjectStoreException)
        {
            // Already gone, or not ours to abort: the new upload does not depend on it.
        }
    }
}
