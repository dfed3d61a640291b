using System.Text.Json;
using System.Text.Json.Serialization;

namespace AmiVault.Catalog;

/// <summary>
/// Records are stored whole as JSON beside the columns that are searched or constrained, so adding an attribute
/// to a record needs no migration.
/// </summary>
internal static class CatalogJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"Catalog row is not a {typeof(T).Name}.");

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
