namespace AmiVault.ObjectStore;

/// <summary>
/// A conditional write (PutObject, CompleteMultipartUpload): <see cref="IfNoneMatch"/> "*" writes only when no
/// object has the key; <see cref="IfMatch"/> only when the current object has that ETag. Checked atomically with
/// the write: 412 PreconditionFailed, or NoSuchKey for If-Match when there is no object.
/// </summary>
internal sealed record WriteCondition(string? IfMatch, string? IfNoneMatch)
{
    public static WriteCondition? From(string? ifMatch, string? ifNoneMatch)
    {
        if (ifNoneMatch is not null && ifNoneMatch.Trim() != "*")
        {
            throw new ObjectStoreException("NotImplemented", "A header you provided implies functionality that is not implemented: If-None-Match on a write takes only *.", 501);
        }

        return ifMatch is null && ifNoneMatch is null ? null : new WriteCondition(ifMatch, ifNoneMatch);
    }

    /// <summary>Whether the write may replace <paramref name="currentETag"/> (null: no object).</summary>
    public void Check(string? currentETag, string key)
    {
        if (IfNoneMatch is not null && currentETag is not null)
        {
            throw ObjectStoreErrors.PreconditionFailed("If-None-Match");
        }

        if (IfMatch is not null)
        {
            if (currentETag is null)
            {
                throw ObjectStoreErrors.NoSuchKey(key);
            }

            if (!ETags.Matches(IfMatch, currentETag))
            {
                throw ObjectStoreErrors.PreconditionFailed("If-Match");
            }
        }
    }
}
