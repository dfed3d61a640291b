namespace AmiVault.ObjectStore;

/// <summary>
/// The standard HTTP headers S3 stores with an object and returns on GET and HEAD, besides Content-Type: keyed by
/// these names, values as the client sent them.
/// </summary>
internal static class ObjectHeaders
{
    public const string CacheControl = "Cache-Control";
    public const string ContentDisposition = "Content-Disposition";
    public const string ContentEncoding = "Content-Encoding";
    public const string ContentLanguage = "Content-Language";
    public const string Expires = "Expires";

    public static readonly IReadOnlyList<string> Stored = [CacheControl, ContentDisposition, ContentEncoding, ContentLanguage, Expires];

    public static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();
}
