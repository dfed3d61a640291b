using System.Globalization;
using System.Text;
using AmiVault.Catalog;
using AmiVault.ObjectStore;

namespace AmiVault.Tasks;

/// <summary>
/// The S3 user metadata written on a stored image's object, under the keys of <see cref="StoredImageMetadata"/>.
/// </summary>
internal static class StoredObjectMetadata
{
    public static Dictionary<string, string> For(ImageRecord image, string region, DateTimeOffset storedAt)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [StoredImageMetadata.Name] = HeaderSafe(image.Name),
            [StoredImageMetadata.CreationDate] = Iso(image.CreationDate),
            [StoredImageMetadata.OwnerAccount] = image.OwnerId,
            [StoredImageMetadata.StoreDate] = Iso(storedAt),
            [StoredImageMetadata.ImageId] = image.ImageId,
            [StoredImageMetadata.SourceRegion] = region,
        };
        if (!string.IsNullOrEmpty(image.Description))
        {
            metadata[StoredImageMetadata.Description] = HeaderSafe(image.Description);
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
