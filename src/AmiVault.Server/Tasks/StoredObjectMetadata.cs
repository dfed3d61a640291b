using System.Globalization;
using System.Text;
using AmiVault.Catalog;

namespace AmiVault.Tasks;

/// <summary>
/// The S3 user metadata written on a stored image's object. AWS does not publish its key names, so these are ours
/// (documented in docs/store-restore.md); on the wire each is `x-amz-meta-KEY`.
/// </summary>
internal static class StoredObjectMetadata
{
    public const string Name = "ami-name";
    public const string Description = "ami-description";
    public const string CreationDate = "ami-creation-date";
    public const string OwnerAccount = "ami-owner-account";
    public const string StoreDate = "ami-store-date";
    public const string ImageId = "ami-id";
    public const string SourceRegion = "ami-source-region";

    public static Dictionary<string, string> For(ImageRecord image, string region, DateTimeOffset storedAt)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Name] = HeaderSafe(image.Name),
            [CreationDate] = Iso(image.CreationDate),
            [OwnerAccount] = image.OwnerId,
            [StoreDate] = Iso(storedAt),
            [ImageId] = image.ImageId,
            [SourceRegion] = region,
        };
        if (!string.IsNullOrEmpty(image.Description))
        {
            metadata[Description] = HeaderSafe(image.Description);
        }

        return metadata;
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Header values are ASCII: anything else is sent RFC 2047-encoded, as S3 itself returns such metadata.</summary>
    private static string HeaderSafe(string value) =>
        value.All(c => c is >= ' ' and <= '~')
            ? value
            : "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=";
}
