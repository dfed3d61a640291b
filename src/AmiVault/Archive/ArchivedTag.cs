using System.Text.Json.Serialization;

namespace AmiVault.Archive;

internal sealed record ArchivedTag([property: JsonPropertyName("key")] string Key, [property: JsonPropertyName("value")] string Value);
