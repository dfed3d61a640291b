using System.Text.Json.Serialization;

namespace AmiVault.Archive;

public sealed record ArchivedTag([property: JsonPropertyName("key")] string Key, [property: JsonPropertyName("value")] string Value);
