using System.Globalization;

namespace AmiVault.ObjectStore.Embedded;

/// <summary>
/// Multipart uploads: a folder per upload holding upload.json and one file per part, named
/// NNNNN-MD5-LENGTH-c[-CHECKSUM] so that listing parts needs no other bookkeeping (the "-c": written in sealed frames; a
/// part written before data checksums, by an upload that began then, has no suffix and is raw when plain; CHECKSUM: the
/// part's flexible checksum in hex, of the upload's algorithm, when it has one). The name is the part's record, so a
/// part and what is known of it appear together, in one rename. Completing renames the whole folder into the bucket's
/// data: the parts become the object's data files without being copied.
/// </summary>
internal sealed partial class EmbeddedObjectStore
{
    private const string UploadFile = "upload.json";

    public async Task<string> CreateMultipartUploadAsync(string bucket, string key, ObjectWriteOptions options, CancellationToken cancellationToken = default)
    {
        ObjectStoreLimits.CheckWrite(key, options);
        var uploadId = Guid.NewGuid().ToString("N");
        var dir = storage.UploadDir(bucket, uploadId);

        // Under the key's lock, like a commit, so that the bucket cannot be deleted while the folder is made.
        using var _ = await storage.KeyLocks.AcquireAsync(bucket + "/" + key, cancellationToken);
        var record = RequireBucket(bucket);
        IO.DurableFile.CreateDirectory(dir);
        DurableFile.WriteJson(Path.Combine(dir, UploadFile), new UploadRecord(
            key, uploadId, storage.Time.GetUtcNow(), options.ContentType, new Dictionary<string, string>(options.Metadata),
            new Dictionary<string, string>(options.Tags), options.Encrypt ?? record.EncryptByDefault, new Dictionary<string, string>(options.Headers),
            options.ChecksumAlgorithm, options.ChecksumComposite));
        return uploadId;
    }

    public async Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream content, long length, byte[]? contentMd5 = null, ChecksummingStream? checksum = null, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        ObjectStoreLimits.CheckPartNumber(partNumber);
        if (length > ObjectStoreLimits.MaxPartSize)
        {
            throw ObjectStoreErrors.EntityTooLarge();
        }

        if (contentMd5 is { Length: not 16 })
        {
            throw ObjectStoreErrors.InvalidDigest("Content-MD5");
        }

        var upload = RequireUpload(bucket, key, uploadId);
        using var computed = PartChecksum(upload, checksum, ref content);
        var kept = upload.ChecksumAlgorithm is null ? null : computed ?? checksum;
        var written = await WriteSegmentAsync(bucket, content, length, ObjectStoreLimits.MaxPartSize, upload.Encrypted, contentMd5, cancellationToken);
        var dir = storage.UploadDir(bucket, uploadId);
        var name = PartFileName(partNumber, written.Md5, written.Length, kept?.Value);
        using (await storage.UploadLocks.AcquireAsync(uploadId, cancellationToken))
        {
            if (!File.Exists(Path.Combine(dir, UploadFile)))
            {
                File.Delete(written.Path);
                throw ObjectStoreErrors.NoSuchUpload(uploadId);
            }

            try
            {
                IO.DurableFile.CommitRename(written.Path, Path.Combine(dir, name));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                // The bucket went away with its uploads while this part streamed in.
                throw ObjectStoreErrors.NoSuchUpload(uploadId);
            }

            foreach (var earlier in Directory.EnumerateFiles(dir, $"{partNumber:D5}-*").Where(f => Path.GetFileName(f) != name))
            {
                File.Delete(earlier);
            }
        }

        return new PartInfo(partNumber, ETags.FromMd5(written.Md5), written.Length, storage.Time.GetUtcNow(), kept?.Value);
    }

    /// <summary>
    /// A part of an upload with a checksum algorithm must come with that checksum, as in S3; only an upload
    /// checksummed as a whole object takes a part without one, whose checksum is then computed here (the stream
    /// returned, which <paramref name="content"/> now reads through).
    /// </summary>
    private static ChecksummingStream? PartChecksum(UploadRecord upload, ChecksummingStream? sent, ref Stream content)
    {
        if (upload.ChecksumAlgorithm is not { } algorithm || (sent is not null && sent.Algorithm == algorithm))
        {
            return null;
        }

        if (sent is not null || upload.ChecksumComposite)
        {
            throw ObjectStoreErrors.InvalidRequest(
                $"Checksum Type mismatch occurred, expected checksum Type: {algorithm.ToLowerInvariant()}, actual checksum Type: {sent?.Algorithm.ToLowerInvariant() ?? "null"}");
        }

        var computed = new ChecksummingStream(content, FlexibleChecksum.Create(algorithm), expected: null);
        content = computed;
        return computed;
    }

    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, WriteCondition? condition = null, ObjectChecksum? expectedChecksum = null, CancellationToken cancellationToken = default)
    {
        var bucketRecord = RequireBucket(bucket);
        ObjectStoreLimits.CheckPartOrder(parts);

        using var _ = await storage.UploadLocks.AcquireAsync(uploadId, cancellationToken);
        var upload = RequireUpload(bucket, key, uploadId);
        var uploaded = ListPartFiles(bucket, uploadId).ToDictionary(p => p.Info.PartNumber);
        var chosen = new List<(PartInfo Info, string File, byte[] Md5, bool Checksummed)>(parts.Count);
        foreach (var wanted in parts)
        {
            if (!uploaded.TryGetValue(wanted.PartNumber, out var part) || !ETags.Same(wanted.ETag, part.Info.ETag))
            {
                throw ObjectStoreErrors.InvalidPart(wanted.PartNumber);
            }

            CheckPartChecksum(upload, wanted, part.Info);
            chosen.Add(part);
        }

        for (var i = 0; i < chosen.Count - 1; i++)
        {
            if (chosen[i].Info.Size < ObjectStoreLimits.MinPartSize)
            {
                throw ObjectStoreErrors.EntityTooSmall(chosen[i].Info.PartNumber);
            }
        }

        var checksum = MultipartChecksum(upload, [.. chosen.Select(p => p.Info)], expectedChecksum);

        // One rename turns the upload into the object's data; the upload is gone from then on.
        var dataName = Guid.NewGuid().ToString("N");
        var stored = new ObjectRecord(
            key, chosen.Sum(p => p.Info.Size), ETags.Multipart(chosen.Select(p => p.Md5)), storage.Time.GetUtcNow(), upload.ContentType,
            upload.Metadata, upload.Tags, upload.Encrypted, chosen.Count, dataName,
            [.. chosen.Select(p => new SegmentRecord(Path.Combine(dataName, p.File), p.Info.Size, p.Checksummed && !upload.Encrypted, checksum is null ? null : p.Info.Checksum))],
            upload.Headers, checksum);
        await CommitAsync(bucket, storage.UploadDir(bucket, uploadId), stored, condition, cancellationToken);

        var kept = chosen.Select(p => p.File).ToHashSet(StringComparer.Ordinal);
        foreach (var leftover in Directory.EnumerateFiles(Path.Combine(storage.DataDir(bucket), dataName)).Where(f => !kept.Contains(Path.GetFileName(f))))
        {
            File.Delete(leftover);
        }

        return stored.ToInfo(bucketRecord);
    }

    /// <summary>
    /// A part's checksum named in the completion must be the one kept with the part (InvalidPart, as a wrong ETag);
    /// an upload with a composite checksum needs every part's, as S3 says.
    /// </summary>
    private static void CheckPartChecksum(UploadRecord upload, CompletedPart wanted, PartInfo part)
    {
        if (upload.ChecksumAlgorithm is not { } algorithm)
        {
            return;
        }

        if (part.Checksum is null || (wanted.Checksum is { } sent && (sent.Algorithm != algorithm || sent.Value != part.Checksum)))
        {
            throw ObjectStoreErrors.InvalidPart(wanted.PartNumber);
        }

        if (wanted.Checksum is null && upload.ChecksumComposite)
        {
            throw ObjectStoreErrors.InvalidRequest(
                $"The upload was created using a {algorithm.ToLowerInvariant()} checksum. The complete request must include the checksum for each part. It was missing for part {wanted.PartNumber} in the request.");
        }
    }

    /// <summary>
    /// The completed object's checksum from its parts' (composite, or the CRC of the full object), checked against
    /// the one the completion sent, if any (BadDigest).
    /// </summary>
    private static ObjectChecksum? MultipartChecksum(UploadRecord upload, IReadOnlyList<PartInfo> parts, ObjectChecksum? expected)
    {
        if (upload.ChecksumAlgorithm is not { } algorithm)
        {
            return expected is null
                ? null
                : throw ObjectStoreErrors.InvalidRequest($"The upload was created without a checksum algorithm; {expected.Header} cannot be checked.");
        }

        var checksum = upload.ChecksumComposite
            ? new ObjectChecksum(algorithm, FlexibleChecksum.Composite(algorithm, parts.Select(p => p.Checksum!)), Composite: true, parts.Count)
            : new ObjectChecksum(algorithm, FlexibleChecksum.CombineFullObject(algorithm, parts.Select(p => (p.Checksum!, p.Size))));
        if (expected is not null)
        {
            if (expected.Algorithm != algorithm)
            {
                throw ObjectStoreErrors.InvalidRequest($"The upload was created using a {algorithm.ToLowerInvariant()} checksum; {expected.Header} cannot be checked.");
            }

            if (expected.Value != checksum.Value && expected.Value != checksum.WireValue)
            {
                throw new ObjectStoreException("BadDigest", $"The {algorithm} you specified did not match the calculated checksum.", 400);
            }
        }

        return checksum;
    }

    public async Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        using var _ = await storage.UploadLocks.AcquireAsync(uploadId, cancellationToken);
        RequireUpload(bucket, key, uploadId);
        var trash = Path.Combine(storage.Root, bucket, "tmp", "aborted-" + uploadId);
        Directory.CreateDirectory(Path.GetDirectoryName(trash)!);
        Directory.Move(storage.UploadDir(bucket, uploadId), trash);
        IO.DurableFile.FlushDirectory(storage.UploadsDir(bucket));
        Directory.Delete(trash, recursive: true);
    }

    public Task<PartListing> ListPartsAsync(string bucket, string key, string uploadId, int partNumberMarker = 0, int maxParts = 1000, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        var upload = RequireUpload(bucket, key, uploadId);
        var all = ListPartFiles(bucket, uploadId).Select(p => p.Info).Where(p => p.PartNumber > partNumberMarker).OrderBy(p => p.PartNumber).ToList();
        var page = all.Take(Math.Max(0, maxParts)).ToList();
        var truncated = all.Count > page.Count;
        return Task.FromResult(new PartListing(page, truncated, page.Count > 0 ? page[^1].PartNumber : partNumberMarker, upload.ChecksumAlgorithm, upload.ChecksumComposite));
    }

    public Task<UploadListing> ListMultipartUploadsAsync(string bucket, ListUploadsQuery query, CancellationToken cancellationToken = default)
    {
        RequireBucket(bucket);
        var uploads = ListUploadRecords(bucket)
            .Where(u => u.Key.StartsWith(query.Prefix, StringComparison.Ordinal))
            .Where(u => query.KeyMarker is null
                || string.CompareOrdinal(u.Key, query.KeyMarker) > 0
                || (u.Key == query.KeyMarker && query.UploadIdMarker is not null && string.CompareOrdinal(u.UploadId, query.UploadIdMarker) > 0))
            .OrderBy(u => u.Key, StringComparer.Ordinal).ThenBy(u => u.UploadId, StringComparer.Ordinal)
            .ToList();
        var page = uploads.Take(Math.Max(0, query.MaxUploads)).Select(u => new UploadSummary(u.Key, u.UploadId, u.Initiated)).ToList();
        var truncated = uploads.Count > page.Count;
        return Task.FromResult(new UploadListing(page, truncated, truncated ? page[^1].Key : null, truncated ? page[^1].UploadId : null));
    }

    private IEnumerable<UploadRecord> ListUploadRecords(string bucket)
    {
        var dir = storage.UploadsDir(bucket);
        return Directory.Exists(dir)
            ? Directory.EnumerateDirectories(dir).Select(d => DurableFile.ReadJson<UploadRecord>(Path.Combine(d, UploadFile))).OfType<UploadRecord>().ToList()
            : [];
    }

    private UploadRecord RequireUpload(string bucket, string key, string uploadId)
    {
        // Upload ids are ours (32 hex digits); anything else must not reach a path.
        if (uploadId.Length != 32 || !uploadId.All(char.IsAsciiHexDigitLower))
        {
            throw ObjectStoreErrors.NoSuchUpload(uploadId);
        }

        var upload = DurableFile.ReadJson<UploadRecord>(Path.Combine(storage.UploadDir(bucket, uploadId), UploadFile));
        return upload is not null && upload.Key == key ? upload : throw ObjectStoreErrors.NoSuchUpload(uploadId);
    }

    private IEnumerable<(PartInfo Info, string File, byte[] Md5, bool Checksummed)> ListPartFiles(string bucket, string uploadId)
    {
        foreach (var path in Directory.EnumerateFiles(storage.UploadDir(bucket, uploadId)))
        {
            var name = Path.GetFileName(path);
            var fields = name.Split('-');
            if (fields.Length is 3 or 4 or 5
                && (fields.Length == 3 || fields[3] == SealedSuffix)
                && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                var md5 = Convert.FromHexString(fields[1]);
                var checksum = fields.Length == 5 ? Convert.ToBase64String(Convert.FromHexString(fields[4])) : null;
                yield return (new PartInfo(number, ETags.FromMd5(md5), length, File.GetLastWriteTimeUtc(path), checksum), name, md5, fields.Length >= 4);
            }
        }
    }

    private const string SealedSuffix = "c";

    private static string PartFileName(int partNumber, byte[] md5, long length, string? checksum) =>
        string.Create(CultureInfo.InvariantCulture, $"{partNumber:D5}-{Convert.ToHexStringLower(md5)}-{length}-{SealedSuffix}")
        + (checksum is null ? "" : "-" + Convert.ToHexStringLower(Convert.FromBase64String(checksum)));
}
