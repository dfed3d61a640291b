namespace AmiVault.Cli.Common;

/// <summary>An `s3://bucket/key` argument. The key may be empty (`s3://bucket/`), meaning "the same name as the source".</summary>
internal sealed record S3Location(string Bucket, string Key)
{
    public const string Scheme = "s3://";

    public static bool IsS3(string text) => text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    public static S3Location Parse(string text, bool keyRequired = true)
    {
        if (!IsS3(text))
        {
            throw CliException.Usage($"'{text}' is not an S3 location: write s3://BUCKET/KEY.");
        }

        var rest = text[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length == 0 || (keyRequired && key.Length == 0))
        {
            throw CliException.Usage($"'{text}' names no {(bucket.Length == 0 ? "bucket" : "object key")}: write s3://BUCKET/KEY.");
        }

        return new S3Location(bucket, key);
    }

    public override string ToString() => $"{Scheme}{Bucket}/{Key}";
}
