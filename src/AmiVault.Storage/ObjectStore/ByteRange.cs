using System.Globalization;

namespace AmiVault.ObjectStore;

/// <summary>
/// One HTTP byte range: first-last, first- (to the end) or -n (the last n bytes). Resolved against an object's size,
/// as S3 does: a range starting past the end is InvalidRange; a last byte past the end is clipped.
/// </summary>
internal sealed record ByteRange(long? First, long? Last)
{
    public static ByteRange FromOffset(long offset, long length) => new(offset, offset + length - 1);

    /// <summary>Parses a Range header; null for anything S3 would ignore (several ranges, other units).</summary>
    public static ByteRange? Parse(string? header)
    {
        if (string.IsNullOrEmpty(header) || !header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var spec = header["bytes=".Length..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        long? first = null, last = null;
        if (dash > 0)
        {
            if (!long.TryParse(spec[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var f))
            {
                return null;
            }

            first = f;
        }

        if (dash < spec.Length - 1)
        {
            if (!long.TryParse(spec[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var l))
            {
                return null;
            }

            last = l;
        }

        if ((first is null && last is null) || (first is not null && last is not null && last < first))
        {
            return null;
        }

        return new ByteRange(first, last);
    }

    /// <summary>The (offset, length) this range covers in an object of <paramref name="size"/> bytes.</summary>
    public (long Offset, long Length) Resolve(long size)
    {
        if (First is null)
        {
            var suffix = Math.Min(Last!.Value, size);
            if (suffix == 0)
            {
                throw ObjectStoreErrors.InvalidRange(size);
            }

            return (size - suffix, suffix);
        }

        if (First.Value >= size)
        {
            throw ObjectStoreErrors.InvalidRange(size);
        }

        var last = Math.Min(Last ?? size - 1, size - 1);
        return (First.Value, last - First.Value + 1);
    }

    public override string ToString() =>
        $"bytes={First?.ToString(CultureInfo.InvariantCulture)}-{Last?.ToString(CultureInfo.InvariantCulture)}";
}
