using System.Text;

namespace AmiVault.ObjectStore;

/// <summary>S3's published limits on names, keys, parts, tags and metadata, checked the same way by every store.</summary>
internal static class ObjectStoreLimits
{
    public const long MinPartSize = 5L * 1024 * 1024;
    public const long MaxPartSize = 5L * 1024 * 1024 * 1024;
    public const long MaxPutSize = 5L * 1024 * 1024 * 1024;
    public const int MaxPartNumber = 10000;
    public const int MaxKeyBytes = 1024;
    public const int MaxTags = 10;
    public const int MaxMetadataBytes = 2048;

    /// <summary>S3's general-purpose bucket naming rules: 3–63 of a-z 0-9 . -, alphanumeric ends, not an IP address.</summary>
    public static void CheckBucketName(string bucket)
    {
        var valid = bucket.Length is >= 3 and <= 63
            && bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-')
            && char.IsAsciiLetterOrDigit(bucket[0]) && char.IsAsciiLetterOrDigit(bucket[^1])
            && !bucket.Contains("..", StringComparison.Ordinal)
            && !bucket.Contains(".-", StringComparison.Ordinal) && !bucket.Contains("-.", StringComparison.Ordinal)
            && !System.Net.IPAddress.TryParse(bucket, out _)
            && !bucket.StartsWith("xn--", StringComparison.Ordinal)
            && !bucket.EndsWith("-s3alias", StringComparison.Ordinal);
        if (!valid)
        {
            throw ObjectStoreErrors.InvalidBucketName(bucket);
        }
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    public static void CheckKey(string key)
    {
        if (key.Length == 0)
        {
            throw ObjectStoreErrors.InvalidArgument("Object key must not be empty.");
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            throw ObjectStoreErrors.KeyTooLong();
        }
    }

    public static void CheckPartNumber(int partNumber)
    {
        if (partNumber is < 1 or > MaxPartNumber)
        {
            throw ObjectStoreErrors.InvalidArgument($"Part number must be an integer between 1 and {MaxPartNumber}, inclusive.");
        }
    }

    /// <summary>The parts named in a completion must be in strictly ascending order; checked before any server sees them.</summary>
    public static void CheckPartOrder(IReadOnlyList<CompletedPart> parts)
    {
        if (parts.Count == 0)
        {
            throw new ObjectStoreException("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.", 400);
        }

        for (var i = 1; i < parts.Count; i++)
        {
            if (parts[i].PartNumber <= parts[i - 1].PartNumber)
            {
                throw ObjectStoreErrors.InvalidPartOrder();
            }
        }
    }

    public static void CheckTags(IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count > MaxTags)
        {
            throw ObjectStoreErrors.InvalidTag($"Object tags cannot be greater than {MaxTags}.");
        }

        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > 128)
            {
                throw ObjectStoreErrors.InvalidTag("The TagKey you have provided is invalid.");
            }

            if (value.Length > 256)
            {
                throw ObjectStoreErrors.InvalidTag("The TagValue you have provided is invalid.");
            }

            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw ObjectStoreErrors.InvalidTag("Your TagKey cannot be prefixed with aws:");
            }
        }
    }

    public static void CheckWrite(string key, ObjectWriteOptions options)
    {
        CheckKey(key);
        CheckTags(options.Tags);
        var metadataBytes = options.Metadata.Sum(m => Encoding.UTF8.GetByteCount(m.Key) + Encoding.UTF8.GetByteCount(m.Value));
        if (metadataBytes > MaxMetadataBytes)
        {
            throw ObjectStoreErrors.MetadataTooLarge();
        }

        // Metadata goes back out as x-amz-meta-NAME headers: names must be header tokens and values printable ASCII.
        foreach (var (name, value) in options.Metadata)
        {
            if (name.Length == 0 || !name.All(IsTokenChar) || !value.All(c => c is '\t' or (>= ' ' and <= '~')))
            {
                throw ObjectStoreErrors.InvalidArgument($"User metadata '{name}' must be a header name with a printable ASCII value.");
            }
        }

        if (options.ContentMd5 is { Length: not 16 })
        {
            throw ObjectStoreErrors.InvalidDigest("Content-MD5");
        }

        // The standard headers go back out as they came: known names, printable values, bounded like metadata.
        foreach (var (name, value) in options.Headers)
        {
            if (!ObjectHeaders.Stored.Contains(name) || value.Length > MaxMetadataBytes || !value.All(c => c is '\t' or (>= ' ' and <= '~')))
            {
                throw ObjectStoreErrors.InvalidArgument($"The header {name} cannot be stored with an object.");
            }
        }
    }
}
